#pragma once
// The optional basemap under the map (issue 7, item 8): an XYZ tile URL template or a raster file
// (GeoTIFF, MBTiles) read through the engine's io::Basemap (GDAL). Images are read on a worker
// thread — the map keeps drawing while tiles load — for the view's world rectangle in the plan's
// CRS, the latest request replacing any that has not started. XYZ tiles are cached on disk
// (the user's cache directory, gridplan-studio/tiles) by GDAL. The studio works fully without one.

#include <QImage>
#include <QObject>
#include <QRectF>
#include <QSize>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace gp::io {
class Basemap;
}

namespace gp::studio {

class BasemapLayer : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString source READ source NOTIFY sourceChanged)
  Q_PROPERTY(QString attribution READ attribution NOTIFY sourceChanged)
  Q_PROPERTY(bool active READ active NOTIFY sourceChanged)
  Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
  Q_PROPERTY(QString error READ error NOTIFY errorChanged)

 public:
  explicit BasemapLayer(QObject* parent = nullptr);
  ~BasemapLayer() override;

  QString source() const { return source_; }
  QString attribution() const { return attribution_; }
  bool active() const { return basemap_ != nullptr; }
  bool loading() const { return loading_; }
  QString error() const { return error_; }

  /// Opens a raster file or an XYZ template (https://…/{z}/{x}/{y}.png); an empty string removes
  /// the basemap. Returns false and sets error() when it cannot be opened.
  Q_INVOKABLE bool setSource(const QString& fileOrTemplate);
  Q_INVOKABLE bool setSourceUrl(const QUrl& url);
  Q_INVOKABLE void clear() { setSource(QString()); }

  /// Asks for the basemap of `world` (plan CRS `crs_wkt`) at `pixels`; imageChanged() follows
  /// when it is read. A request equal to the image held or to the one running is ignored.
  void request(const std::string& crs_wkt, const QRectF& world, QSize pixels);
  /// The last image read and the world rectangle it covers.
  const QImage& image() const { return image_; }
  QRectF imageWorld() const { return image_world_; }
  quint64 version() const { return version_; }

 signals:
  void sourceChanged();
  void loadingChanged();
  void errorChanged();
  void imageChanged();

 private:
  struct Request {
    std::string crs;
    QRectF world;
    QSize pixels;
    quint64 generation = 0;
    bool operator==(const Request& o) const {
      return crs == o.crs && world == o.world && pixels == o.pixels && generation == o.generation;
    }
  };
  void run();
  void set_loading(bool b);

  std::shared_ptr<io::Basemap> basemap_;
  QString source_, attribution_, error_;
  bool loading_ = false;
  QImage image_;
  QRectF image_world_;
  quint64 version_ = 0;
  quint64 generation_ = 0;  // bumped when the source changes
  std::optional<Request> shown_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Request> pending_, running_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace gp::studio
