#include "map_canvas.hpp"

#include <QPainter>
#include <QPainterPath>
#include <QQuickWindow>
#include <QSGFlatColorMaterial>
#include <QSGGeometryNode>
#include <QSGImageNode>
#include <QSGOpacityNode>
#include <QSGRendererInterface>
#include <QSGTransformNode>
#include <QSGVertexColorMaterial>
#include <cmath>

#include "session.hpp"

namespace gp::studio {
namespace {

// Which panel key switches each layer.
const char* const kLayerKeys[kLayerCount] = {"communities", "rivers",      "gridFill", "compounds",
                                             "buildings",   "roads",       "rivers",   "microGrids",
                                             "largeGrids",  "communities", "stations", "checks"};

std::size_t idx(int i) {
  return static_cast<std::size_t>(i);
}

}  // namespace

// ---- LayerList ------------------------------------------------------------------------------

LayerList::LayerList(QObject* parent) : QObject(parent) {
  visible_.fill(true);
}

QString LayerList::key(int layer) {
  return QString::fromLatin1(kLayerKeys[layer]);
}

QVariantList LayerList::layersList() const {
  QVariantList out;
  QStringList seen;
  QVariantMap base;
  base[QStringLiteral("key")] = QStringLiteral("basemap");
  base[QStringLiteral("visible")] = basemap_visible_;
  out << base;
  for (int i = 0; i < kLayerCount; ++i) {
    const QString k = key(i);
    if (seen.contains(k)) continue;
    seen << k;
    QVariantMap m;
    m[QStringLiteral("key")] = k;
    m[QStringLiteral("visible")] = visible_[idx(i)];
    out << m;
  }
  return out;
}

void LayerList::setVisible(const QString& k, bool v) {
  bool changed_any = false;
  if (k == QLatin1String("basemap") && basemap_visible_ != v) {
    basemap_visible_ = v;
    changed_any = true;
  }
  for (int i = 0; i < kLayerCount; ++i)
    if (key(i) == k && visible_[idx(i)] != v) {
      visible_[idx(i)] = v;
      changed_any = true;
    }
  if (changed_any) emit changed();
}

bool LayerList::isVisible(const QString& k) const {
  if (k == QLatin1String("basemap")) return basemap_visible_;
  for (int i = 0; i < kLayerCount; ++i)
    if (key(i) == k) return visible_[idx(i)];
  return false;
}

// ---- MapCanvas ------------------------------------------------------------------------------

MapCanvas::MapCanvas(QQuickItem* parent) : QQuickItem(parent) {
  setFlag(ItemHasContents, true);
  setClip(true);
  settle_timer_.setSingleShot(true);
  settle_timer_.setInterval(120);
  connect(&settle_timer_, &QTimer::timeout, this, [this] {
    settled_ = true;
    update();
  });
  connect(this, &QQuickItem::widthChanged, this, &QQuickItem::update);
  connect(this, &QQuickItem::heightChanged, this, &QQuickItem::update);
}

void MapCanvas::setSession(Session* s) {
  if (s == session_) return;
  if (session_) disconnect(session_, nullptr, this, nullptr);
  session_ = s;
  if (s) {
    connect(s, &Session::sceneChanged, this, &QQuickItem::update);
    connect(s, &Session::dataChanged, this, &QQuickItem::update);
  }
  if (s) s->setViewAttached(true);
  emit sessionChanged();
  update();
}

void MapCanvas::setViewport(MapViewport* v) {
  if (v == viewport_) return;
  if (viewport_) disconnect(viewport_, nullptr, this, nullptr);
  viewport_ = v;
  if (v)
    connect(v, &MapViewport::changed, this, [this] {
      settled_ = false;
      settle_timer_.start();
      update();
    });
  emit viewportChanged();
  update();
}

void MapCanvas::setLayers(LayerList* l) {
  if (l == layers_) return;
  if (layers_) disconnect(layers_, nullptr, this, nullptr);
  layers_ = l;
  if (l) connect(l, &LayerList::changed, this, &QQuickItem::update);
  emit layersChanged();
  update();
}

void MapCanvas::setBasemap(BasemapLayer* b) {
  if (b == basemap_) return;
  if (basemap_) disconnect(basemap_, nullptr, this, nullptr);
  basemap_ = b;
  if (b) {
    connect(b, &BasemapLayer::imageChanged, this, &QQuickItem::update);
    connect(b, &BasemapLayer::sourceChanged, this, &QQuickItem::update);
  }
  emit basemapChanged();
  update();
}

bool MapCanvas::basemap_shown() const {
  return basemap_ && basemap_->active() && (!layers_ || layers_->basemapVisible());
}

void MapCanvas::request_basemap() {
  if (!basemap_shown() || !viewport_ || !session_ || !session_->dataset()) return;
  const double s = viewport_->scale();
  if (s <= 0 || width() <= 0 || height() <= 0) return;
  const double hw = width() / 2.0 / s, hh = height() / 2.0 / s;
  const QRectF world(viewport_->centreX() - hw, viewport_->centreY() - hh, 2 * hw, 2 * hh);
  const qreal dpr = window() ? window()->effectiveDevicePixelRatio() : 1.0;
  basemap_->request(session_->dataset()->crs_wkt, world,
                    QSize(static_cast<int>(std::ceil(width() * dpr)),
                          static_cast<int>(std::ceil(height() * dpr))));
}

void MapCanvas::settle() {
  settled_ = true;
  cache_key_ = 0;
  update();
}

bool MapCanvas::layer_visible(int layer) const {
  return !layers_ || layers_->visible(layer);
}

std::uint64_t MapCanvas::content_key() const {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  const Scene* scene = session_ ? session_->scene() : nullptr;
  mix(reinterpret_cast<std::uintptr_t>(scene));
  if (scene)
    for (int i = 0; i < kLayerCount; ++i) {
      mix(scene->layers[idx(i)].geometry_version);
      mix(scene->layers[idx(i)].colour_version);
      mix(layer_visible(i) ? 1 : 2);
    }
  mix(static_cast<std::uint64_t>(width()));
  mix(static_cast<std::uint64_t>(height()));
  mix(basemap_shown() ? basemap_->version() + 7 : 3);
  return h;
}

QSGNode* MapCanvas::updatePaintNode(QSGNode* old, UpdatePaintNodeData*) {
  const bool software =
      window() && window()->rendererInterface()->graphicsApi() == QSGRendererInterface::Software;
  const QString r = software ? QStringLiteral("software") : QStringLiteral("scenegraph");
  if (r != renderer_) {
    renderer_ = r;
    QMetaObject::invokeMethod(this, &MapCanvas::rendererChanged, Qt::QueuedConnection);
  }
  ++frames_;
  QMetaObject::invokeMethod(this, &MapCanvas::framesChanged, Qt::QueuedConnection);
  QSGNode* node = software ? update_software(old) : update_gpu(old);
  // The loaded data is on screen: the session's worker may start planning.
  if (session_ && session_->scene()) session_->frameShown();
  return node;
}

QSGNode* MapCanvas::update_gpu(QSGNode* old) {
  // top → [opacity → basemap image (view pixels)], [transform → one opacity → geometry per layer]
  QSGNode* top = old;
  const Scene* scene = session_ ? session_->scene() : nullptr;
  if (!top) {
    top = new QSGNode;
    top->appendChildNode(new QSGOpacityNode);
    auto* root = new QSGTransformNode;
    for (int i = 0; i < kLayerCount; ++i) {
      auto* opacity = new QSGOpacityNode;
      auto* node = new QSGGeometryNode;
      auto* geometry = new QSGGeometry(QSGGeometry::defaultAttributes_ColoredPoint2D(), 0, 0,
                                       QSGGeometry::UnsignedIntType);
      node->setGeometry(geometry);
      node->setFlag(QSGNode::OwnsGeometry);
      node->setMaterial(new QSGVertexColorMaterial);
      node->setFlag(QSGNode::OwnsMaterial);
      opacity->appendChildNode(node);
      root->appendChildNode(opacity);
    }
    top->appendChildNode(root);
    geometry_seen_.fill(0);
    colour_seen_.fill(0);
    basemap_seen_ = 0;
  }
  auto* base = static_cast<QSGOpacityNode*>(top->firstChild());
  auto* root = static_cast<QSGTransformNode*>(base->nextSibling());
  // Basemap: an image of the view's world rectangle, placed where that rectangle is now.
  const bool show_base = basemap_shown() && !basemap_->image().isNull() && viewport_;
  base->setOpacity(show_base ? 1.0 : 0.0);
  if (show_base) {
    auto* image = static_cast<QSGImageNode*>(base->firstChild());
    if (!image) {
      image = window()->createImageNode();
      image->setOwnsTexture(true);
      base->appendChildNode(image);
    }
    if (basemap_seen_ != basemap_->version()) {
      image->setTexture(window()->createTextureFromImage(basemap_->image()));
      image->setFiltering(QSGTexture::Linear);
      basemap_seen_ = basemap_->version();
    }
    const QRectF w = basemap_->imageWorld();
    image->setRect(
        QRectF(viewport_->toScreen(w.left(), w.bottom()), viewport_->toScreen(w.right(), w.top())));
  }
  if (settled_) request_basemap();
  const bool veil = show_base;
  if (veil != veil_seen_) {
    colour_seen_[static_cast<std::size_t>(LayerId::communities)] = 0;  // rewrite its colours
    veil_seen_ = veil;
  }
  if (scene != scene_seen_) {
    geometry_seen_.fill(0);
    colour_seen_.fill(0);
    scene_seen_ = scene;
  }
  if (viewport_ && scene)
    root->setMatrix(QMatrix4x4(viewport_->transform(scene->origin.x, scene->origin.y)));
  int i = 0;
  for (QSGNode* child = root->firstChild(); child; child = child->nextSibling(), ++i) {
    auto* opacity = static_cast<QSGOpacityNode*>(child);
    auto* node = static_cast<QSGGeometryNode*>(opacity->firstChild());
    opacity->setOpacity(scene && layer_visible(i) ? 1.0 : 0.0);
    if (!scene) continue;
    const Layer& layer = scene->layers[idx(i)];
    QSGGeometry* g = node->geometry();
    const bool new_geometry =
        layer.geometry_version != geometry_seen_[idx(i)] || geometry_seen_[idx(i)] == 0;
    if (new_geometry) {
      // Upload once: positions and indices change only when the layer's geometry does.
      const int vertices = static_cast<int>(layer.xy.size() / 2);
      g->allocate(vertices, static_cast<int>(layer.indices.size()));
      g->setDrawingMode(layer.primitive == Primitive::lines ? QSGGeometry::DrawLines
                                                            : QSGGeometry::DrawTriangles);
      g->setVertexDataPattern(QSGGeometry::StaticPattern);
      g->setIndexDataPattern(QSGGeometry::StaticPattern);
      auto* v = g->vertexDataAsColoredPoint2D();
      for (int k = 0; k < vertices; ++k)
        v[k].set(layer.xy[idx(2 * k)], layer.xy[idx(2 * k + 1)], 0, 0, 0, 0);
      std::copy(layer.indices.begin(), layer.indices.end(), g->indexDataAsUInt());
      geometry_seen_[idx(i)] = layer.geometry_version;
      node->markDirty(QSGNode::DirtyGeometry);
    }
    if (new_geometry || layer.colour_version != colour_seen_[idx(i)] || colour_seen_[idx(i)] == 0) {
      // Recolour: rewrite the per-vertex colours only (premultiplied alpha).
      auto* v = g->vertexDataAsColoredPoint2D();
      const int vertices = g->vertexCount();
      for (int k = 0; k < vertices; ++k) {
        const std::int32_t f = layer.feature[idx(k)];
        const QRgb c = f >= 0 && idx(f) < layer.colour.size() ? layer.colour[idx(f)]
                       : layer.colour.empty()                 ? qRgba(0, 0, 0, 0)
                                                              : layer.colour.front();
        // Over a basemap the community fill is a light veil, as in the software path.
        const int a = veil && i == static_cast<int>(LayerId::communities) ? 90 : qAlpha(c);
        v[k].r = static_cast<unsigned char>(qRed(c) * a / 255);
        v[k].g = static_cast<unsigned char>(qGreen(c) * a / 255);
        v[k].b = static_cast<unsigned char>(qBlue(c) * a / 255);
        v[k].a = static_cast<unsigned char>(a);
      }
      colour_seen_[idx(i)] = layer.colour_version;
      node->markDirty(QSGNode::DirtyGeometry);
    }
  }
  return top;
}

void MapCanvas::paint(QImage& image) const {
  image.fill(QColor(0xee, 0xec, 0xe6));
  const Scene* scene = session_ ? session_->scene() : nullptr;
  if (!scene || !viewport_) return;
  QPainter p(&image);
  const qreal dpr = image.devicePixelRatio();
  const QTransform t = viewport_->transform(scene->origin.x, scene->origin.y);
  p.setTransform(t);
  const QRectF world =
      t.inverted().mapRect(QRectF(0, 0, image.width() / dpr, image.height() / dpr));
  const double scale = viewport_->scale();
  // The basemap first, where its world rectangle is in this view; the town's opaque community
  // fill then becomes a light veil so the basemap shows through.
  const bool base = basemap_shown() && !basemap_->image().isNull();
  if (base) {
    const QRectF w = basemap_->imageWorld();
    p.save();
    p.resetTransform();
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(
        QRectF(viewport_->toScreen(w.left(), w.bottom()), viewport_->toScreen(w.right(), w.top())),
        basemap_->image());
    p.restore();
  }
  for (int i = 0; i < kLayerCount; ++i) {
    if (!layer_visible(i)) continue;
    const Layer& layer = scene->layers[idx(i)];
    const bool band = !layer.band_width.empty();
    const bool lines = layer.primitive == Primitive::lines;
    const std::size_t n = layer.shapes.size();
    p.setRenderHint(QPainter::Antialiasing, n < 30000 || lines);
    for (std::size_t f = 0; f < n; ++f) {
      if (f < layer.bbox.size() && !layer.bbox[f].intersects(world) && !layer.bbox[f].isNull())
        continue;
      QRgb c = f < layer.colour.size() ? layer.colour[f]
               : layer.colour.empty()  ? qRgba(0, 0, 0, 0)
                                       : layer.colour.front();
      if (base && i == static_cast<int>(LayerId::communities))
        c = qRgba(qRed(c), qGreen(c), qBlue(c), 90);
      if (qAlpha(c) == 0) continue;
      const auto& rings = layer.shapes[f];
      if (rings.empty()) continue;
      if (band) {
        // Roads and rivers: their real width when zoomed in, at least one pixel.
        QPen pen(QColor::fromRgba(c), std::max<double>(layer.band_width[f], 1.0 / scale));
        pen.setCapStyle(Qt::SquareCap);
        pen.setJoinStyle(Qt::RoundJoin);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(rings.front());
      } else if (lines) {
        QPen pen(QColor::fromRgba(c), layer.pixel_width);
        pen.setCosmetic(true);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        for (const QPolygonF& r : rings) p.drawPolyline(r);
      } else {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor::fromRgba(c));
        if (rings.size() == 1) {
          p.drawPolygon(rings.front(), Qt::OddEvenFill);
        } else {
          QPainterPath path;
          path.setFillRule(Qt::OddEvenFill);
          for (const QPolygonF& r : rings) path.addPolygon(r);
          p.drawPath(path);
        }
      }
    }
  }
}

QSGNode* MapCanvas::update_software(QSGNode* old) {
  auto* node = static_cast<QSGImageNode*>(old);
  if (!window() || width() <= 0 || height() <= 0 || !viewport_) {
    delete node;
    return nullptr;
  }
  const std::uint64_t key = content_key();
  const bool view_same = cache_scale_ == viewport_->scale() && cache_cx_ == viewport_->centreX() &&
                         cache_cy_ == viewport_->centreY();
  // While the view moves, the cached image is moved and scaled, even when the content changed
  // meanwhile (a plan arriving, a recolouring): the sharp repaint waits until the view settles.
  const bool repaint = cache_.isNull() || (settled_ && (key != cache_key_ || !view_same));
  if (repaint) {
    const qreal dpr = window()->effectiveDevicePixelRatio();
    QImage image(static_cast<int>(std::ceil(width() * dpr)),
                 static_cast<int>(std::ceil(height() * dpr)), QImage::Format_RGB32);
    image.setDevicePixelRatio(dpr);
    paint(image);
    cache_ = std::move(image);
    cache_key_ = key;
    cache_cx_ = viewport_->centreX();
    cache_cy_ = viewport_->centreY();
    cache_scale_ = viewport_->scale();
    request_basemap();
    if (!node) {
      node = window()->createImageNode();
      node->setOwnsTexture(true);
    }
    node->setTexture(window()->createTextureFromImage(cache_));
  }
  // Place the cached image where its world rectangle is in the current view.
  const double k = viewport_->scale() / cache_scale_;
  const double wx0 = cache_cx_ - width() / 2.0 / cache_scale_;
  const double wy0 = cache_cy_ + height() / 2.0 / cache_scale_;
  const QPointF tl = viewport_->toScreen(wx0, wy0);
  // A pure pan moves the image by whole pixels with nearest filtering: the software renderer
  // then blits it instead of resampling every pixel. While zooming, nearest filtering too (the
  // sharp repaint follows when the view settles); bilinear only for a settled, scaled image.
  const bool same_scale = std::abs(k - 1.0) < 1e-9;
  QRectF rect(tl.x(), tl.y(), width() * k, height() * k);
  if (same_scale) rect.moveTo(std::round(rect.x()), std::round(rect.y()));
  const QSGTexture::Filtering filtering =
      same_scale || !settled_ ? QSGTexture::Nearest : QSGTexture::Linear;
  if (node->filtering() != filtering) node->setFiltering(filtering);
  node->setRect(rect);
  return node;
}

// ---- MapLabels ------------------------------------------------------------------------------

MapLabels::MapLabels(QObject* parent) : QAbstractListModel(parent) {}

int MapLabels::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(shown_.size());
}

QVariant MapLabels::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= count() || !viewport_) return {};
  const Anchor& a = anchors_[idx(shown_[idx(index.row())])];
  switch (role) {
    case Qt::DisplayRole:
    case TextRole:
      return a.text;
    case XRole:
      return viewport_->toScreen(a.x, a.y).x();
    case YRole:
      return viewport_->toScreen(a.x, a.y).y();
    case LevelRole:
      return a.micro ? QStringLiteral("micro") : QStringLiteral("large");
    default:
      return {};
  }
}

QHash<int, QByteArray> MapLabels::roleNames() const {
  return {{TextRole, "text"}, {XRole, "sx"}, {YRole, "sy"}, {LevelRole, "level"}};
}

void MapLabels::setSession(Session* s) {
  if (s == session_) return;
  if (session_) disconnect(session_, nullptr, this, nullptr);
  session_ = s;
  if (s) {
    connect(s, &Session::planChanged, this, [this] {
      rebuild_anchors();
      schedule();
    });
  }
  rebuild_anchors();
  schedule();
  emit sessionChanged();
}

void MapLabels::setViewport(MapViewport* v) {
  if (v == viewport_) return;
  if (viewport_) disconnect(viewport_, nullptr, this, nullptr);
  viewport_ = v;
  if (v) connect(v, &MapViewport::changed, this, &MapLabels::schedule);
  schedule();
  emit viewportChanged();
}

void MapLabels::rebuild_anchors() {
  anchors_.clear();
  const Plan* plan = session_ ? session_->plan() : nullptr;
  if (!plan) return;
  auto add = [&](const Grid& g, bool micro) {
    if (g.polygon.empty()) return;
    const Box b = bounds(g.polygon);
    const Point c = centroid(g.polygon);
    const QString code = QString::fromStdString(g.code);
    anchors_.push_back(
        {micro ? code.right(2) : code, c.x, c.y, std::max(b.width(), b.height()), micro});
  };
  for (const Grid& g : plan->large_grids) add(g, false);
  for (const Grid& g : plan->micro_grids) add(g, true);
}

void MapLabels::schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  QMetaObject::invokeMethod(this, &MapLabels::refresh, Qt::QueuedConnection);
}

void MapLabels::refresh() {
  scheduled_ = false;
  std::vector<int> shown;
  if (viewport_) {
    const QRectF view = viewport_->visibleWorld();
    const double s = viewport_->scale();
    for (std::size_t i = 0; i < anchors_.size() && shown.size() < 400; ++i) {
      const Anchor& a = anchors_[i];
      if (!view.contains(a.x, a.y)) continue;
      // Large-grid codes need ≈ 110 px of grid; micro numbers ≈ 45 px.
      if (a.size * s < (a.micro ? 45.0 : 110.0)) continue;
      shown.push_back(static_cast<int>(i));
    }
  }
  if (shown == shown_) {
    if (!shown_.empty()) emit dataChanged(index(0), index(count() - 1), {XRole, YRole});
    return;
  }
  beginResetModel();
  shown_ = std::move(shown);
  endResetModel();
  emit countChanged();
}

}  // namespace gp::studio
