#pragma once
// The map: one custom Qt Quick item drawing every layer of a Session's Scene.
//
// With a GPU scene graph (OpenGL, Vulkan, ...) each layer is ONE QSGGeometryNode whose triangles
// (or line segments) are uploaded once; pan and zoom only change the matrix of the QSGTransformNode
// above them, and recolouring rewrites the per-vertex colours without re-triangulating.
// With the software scene graph (headless QT_QPA_PLATFORM=offscreen, or no GPU) custom geometry
// is not rendered by Qt, so the same layers are painted with QPainter into an image; pan/zoom
// frames transform that image and a sharp repaint follows when the view settles.

#include <QAbstractListModel>
#include <QImage>
#include <QPointer>
#include <QQuickItem>
#include <QTimer>
#include <array>

#include "basemap_layer.hpp"
#include "map_viewport.hpp"
#include "scene.hpp"
#include "session.hpp"

namespace gp::studio {

class LayerList;

class MapCanvas : public QQuickItem {
  Q_OBJECT
  Q_PROPERTY(gp::studio::Session* session READ session WRITE setSession NOTIFY sessionChanged)
  Q_PROPERTY(
      gp::studio::MapViewport* viewport READ viewport WRITE setViewport NOTIFY viewportChanged)
  Q_PROPERTY(gp::studio::LayerList* layers READ layers WRITE setLayers NOTIFY layersChanged)
  Q_PROPERTY(gp::studio::BasemapLayer* basemap READ basemap WRITE setBasemap NOTIFY basemapChanged)
  Q_PROPERTY(QString renderer READ renderer NOTIFY rendererChanged)
  Q_PROPERTY(int frames READ frames NOTIFY framesChanged)

 public:
  explicit MapCanvas(QQuickItem* parent = nullptr);
  Session* session() const { return session_; }
  void setSession(Session* s);
  MapViewport* viewport() const { return viewport_; }
  void setViewport(MapViewport* v);
  LayerList* layers() const { return layers_; }
  void setLayers(LayerList* l);
  BasemapLayer* basemap() const { return basemap_; }
  void setBasemap(BasemapLayer* b);
  QString renderer() const { return renderer_; }
  int frames() const { return frames_; }
  /// Forces a sharp software repaint at the next frame (screenshots).
  Q_INVOKABLE void settle();

 signals:
  void sessionChanged();
  void viewportChanged();
  void layersChanged();
  void basemapChanged();
  void rendererChanged();
  void framesChanged();

 protected:
  QSGNode* updatePaintNode(QSGNode* old, UpdatePaintNodeData*) override;

 private:
  QSGNode* update_gpu(QSGNode* root);
  QSGNode* update_software(QSGNode* root);
  void paint(QImage& image) const;
  bool layer_visible(int layer) const;
  bool basemap_shown() const;
  void request_basemap();
  std::uint64_t content_key() const;

  QPointer<Session> session_;
  QPointer<MapViewport> viewport_;
  QPointer<LayerList> layers_;
  QPointer<BasemapLayer> basemap_;
  QString renderer_;
  int frames_ = 0;
  // GPU path: what each layer's node holds.
  std::array<std::uint64_t, kLayerCount> geometry_seen_{};
  std::array<std::uint64_t, kLayerCount> colour_seen_{};
  const Scene* scene_seen_ = nullptr;
  quint64 basemap_seen_ = 0;
  bool veil_seen_ = false;
  // Software path: the last sharp image and the view it was painted for.
  QImage cache_;
  double cache_cx_ = 0, cache_cy_ = 0, cache_scale_ = 0;
  std::uint64_t cache_key_ = 0;
  bool settled_ = true;
  QTimer settle_timer_;
};

/// Layer visibility and order for the layer panel and the legend, shared by map views.
class LayerList : public QObject {
  Q_OBJECT
  Q_PROPERTY(QVariantList layers READ layersList NOTIFY changed)
 public:
  explicit LayerList(QObject* parent = nullptr);
  QVariantList layersList() const;
  Q_INVOKABLE void setVisible(const QString& key, bool visible);
  Q_INVOKABLE bool isVisible(const QString& key) const;
  bool visible(int layer) const { return visible_[static_cast<std::size_t>(layer)]; }
  bool basemapVisible() const { return basemap_visible_; }
  static QString key(int layer);

 signals:
  void changed();

 private:
  std::array<bool, kLayerCount> visible_{};
  bool basemap_visible_ = true;
};

/// Grid labels visible at the current zoom, positioned in view pixels: a Repeater of Text
/// items over this model draws them (large grids: their code; micro grids: their two-digit
/// number when zoomed in). At most a few hundred labels exist at any time.
class MapLabels : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(gp::studio::Session* session READ session WRITE setSession NOTIFY sessionChanged)
  Q_PROPERTY(
      gp::studio::MapViewport* viewport READ viewport WRITE setViewport NOTIFY viewportChanged)
  Q_PROPERTY(int count READ count NOTIFY countChanged)
 public:
  enum Role { TextRole = Qt::UserRole + 1, XRole, YRole, LevelRole };
  explicit MapLabels(QObject* parent = nullptr);
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  Session* session() const { return session_; }
  void setSession(Session* s);
  MapViewport* viewport() const { return viewport_; }
  void setViewport(MapViewport* v);
  int count() const { return static_cast<int>(shown_.size()); }
  /// Recomputes now (normally deferred to the event loop).
  Q_INVOKABLE void refresh();

 signals:
  void sessionChanged();
  void viewportChanged();
  void countChanged();

 private:
  struct Anchor {
    QString text;
    double x, y;  // world
    double size;  // world extent (max of width, height) of the grid
    bool micro;
  };
  void rebuild_anchors();
  void schedule();
  QPointer<Session> session_;
  QPointer<MapViewport> viewport_;
  std::vector<Anchor> anchors_;
  std::vector<int> shown_;
  bool scheduled_ = false;
};

}  // namespace gp::studio
