#include "map_viewport.hpp"

#include <algorithm>
#include <cmath>

namespace gp::studio {

MapViewport::MapViewport(QObject* parent) : QObject(parent) {}

void MapViewport::setCentreX(double v) {
  if (v == cx_) return;
  cx_ = v;
  emit changed();
}
void MapViewport::setCentreY(double v) {
  if (v == cy_) return;
  cy_ = v;
  emit changed();
}
void MapViewport::setScale(double v) {
  v = std::clamp(v, min_scale_, max_scale_);
  if (v == scale_ || !(v > 0)) return;
  scale_ = v;
  emit changed();
}
void MapViewport::setWidth(double v) {
  if (v == w_) return;
  w_ = v;
  emit changed();
}
void MapViewport::setHeight(double v) {
  if (v == h_) return;
  h_ = v;
  emit changed();
}
void MapViewport::setMinScale(double v) {
  min_scale_ = v;
  clamp();
  emit changed();
}
void MapViewport::setMaxScale(double v) {
  max_scale_ = v;
  clamp();
  emit changed();
}
void MapViewport::clamp() {
  scale_ = std::clamp(scale_, min_scale_, max_scale_);
}

QPointF MapViewport::toScreen(double x, double y) const {
  return {(x - cx_) * scale_ + w_ / 2.0, (cy_ - y) * scale_ + h_ / 2.0};
}

QPointF MapViewport::toWorld(double px, double py) const {
  return {cx_ + (px - w_ / 2.0) / scale_, cy_ - (py - h_ / 2.0) / scale_};
}

QRectF MapViewport::visibleWorld() const {
  const double hw = w_ / 2.0 / scale_, hh = h_ / 2.0 / scale_;
  return {cx_ - hw, cy_ - hh, 2 * hw, 2 * hh};
}

void MapViewport::panBy(double dx, double dy) {
  cx_ -= dx / scale_;
  cy_ += dy / scale_;
  emit changed();
}

void MapViewport::zoomAt(double factor, double px, double py) {
  if (!(factor > 0)) return;
  const QPointF before = toWorld(px, py);
  const double s = std::clamp(scale_ * factor, min_scale_, max_scale_);
  if (s == scale_) return;
  scale_ = s;
  // Keep `before` under (px, py).
  cx_ = before.x() - (px - w_ / 2.0) / scale_;
  cy_ = before.y() + (py - h_ / 2.0) / scale_;
  emit changed();
}

void MapViewport::fit(double min_x, double min_y, double max_x, double max_y, double margin) {
  if (!(max_x >= min_x) || !(max_y >= min_y)) return;
  cx_ = (min_x + max_x) / 2.0;
  cy_ = (min_y + max_y) / 2.0;
  const double bw = std::max(max_x - min_x, 1.0), bh = std::max(max_y - min_y, 1.0);
  const double vw = std::max(w_, 1.0) * (1.0 - 2 * margin);
  const double vh = std::max(h_, 1.0) * (1.0 - 2 * margin);
  scale_ = std::clamp(std::min(vw / bw, vh / bh), min_scale_, max_scale_);
  emit changed();
}

void MapViewport::fitRect(const QRectF& r, double margin) {
  fit(r.left(), r.top(), r.right(), r.bottom(), margin);
}

QTransform MapViewport::transform(double origin_x, double origin_y) const {
  // item = ((o + v) − c) · s + w/2 for x; y flipped.
  return QTransform(scale_, 0, 0, -scale_, (origin_x - cx_) * scale_ + w_ / 2.0,
                    (cy_ - origin_y) * scale_ + h_ / 2.0);
}

}  // namespace gp::studio
