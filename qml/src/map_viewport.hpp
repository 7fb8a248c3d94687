#pragma once
// The one viewport every map layer binds to: the world point at the centre of the view, the
// scale in pixels per metre and the view size. North is up; no rotation. World coordinates are
// metres in the dataset's projected CRS.

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QTransform>

namespace gp::studio {

class MapViewport : public QObject {
  Q_OBJECT
  Q_PROPERTY(double centreX READ centreX WRITE setCentreX NOTIFY changed)
  Q_PROPERTY(double centreY READ centreY WRITE setCentreY NOTIFY changed)
  Q_PROPERTY(double scale READ scale WRITE setScale NOTIFY changed)  // pixels per metre
  Q_PROPERTY(double width READ width WRITE setWidth NOTIFY changed)
  Q_PROPERTY(double height READ height WRITE setHeight NOTIFY changed)
  Q_PROPERTY(double minScale READ minScale WRITE setMinScale NOTIFY changed)
  Q_PROPERTY(double maxScale READ maxScale WRITE setMaxScale NOTIFY changed)

 public:
  explicit MapViewport(QObject* parent = nullptr);

  double centreX() const { return cx_; }
  double centreY() const { return cy_; }
  double scale() const { return scale_; }
  double width() const { return w_; }
  double height() const { return h_; }
  double minScale() const { return min_scale_; }
  double maxScale() const { return max_scale_; }
  void setCentreX(double v);
  void setCentreY(double v);
  void setScale(double v);
  void setWidth(double v);
  void setHeight(double v);
  void setMinScale(double v);
  void setMaxScale(double v);

  /// World (metres) → view pixels and back.
  Q_INVOKABLE QPointF toScreen(double x, double y) const;
  Q_INVOKABLE QPointF toWorld(double px, double py) const;
  /// The world rectangle in view (x = min easting, y = min northing).
  Q_INVOKABLE QRectF visibleWorld() const;
  /// Moves the view by a drag of (dx, dy) pixels.
  Q_INVOKABLE void panBy(double dx, double dy);
  /// Zooms by `factor` keeping the world point under pixel (px, py) fixed.
  Q_INVOKABLE void zoomAt(double factor, double px, double py);
  /// Shows the world box with a margin (fraction of the view).
  Q_INVOKABLE void fit(double min_x, double min_y, double max_x, double max_y,
                       double margin = 0.05);
  Q_INVOKABLE void fitRect(const QRectF& world, double margin = 0.05);
  /// Metres per pixel, for the scale bar.
  Q_INVOKABLE double metresPerPixel() const { return scale_ > 0 ? 1.0 / scale_ : 0.0; }
  /// World → view transform for a given origin (the scene's), in pixels.
  QTransform transform(double origin_x, double origin_y) const;

 signals:
  void changed();

 private:
  void clamp();
  double cx_ = 0, cy_ = 0, scale_ = 1, w_ = 0, h_ = 0;
  double min_scale_ = 1e-5, max_scale_ = 100;
};

}  // namespace gp::studio
