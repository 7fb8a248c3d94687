#include "basemap_layer.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

#include "planner/io/basemap.hpp"

namespace gp::studio {

BasemapLayer::BasemapLayer(QObject* parent) : QObject(parent) {
  worker_ = std::thread([this] { run(); });
}

BasemapLayer::~BasemapLayer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

bool BasemapLayer::setSourceUrl(const QUrl& url) {
  return setSource(url.isLocalFile() ? url.toLocalFile() : url.toString());
}

bool BasemapLayer::setSource(const QString& fileOrTemplate) {
  const QString text = fileOrTemplate.trimmed();
  std::shared_ptr<io::Basemap> opened;
  QString attribution;
  if (!text.isEmpty()) {
    try {
      io::BasemapOptions options;
      options.user_agent = QStringLiteral("GridPlanner-studio/%1 (gridplan)")
                               .arg(QCoreApplication::applicationVersion())
                               .toStdString();
      const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                            QStringLiteral("/tiles");
      QDir().mkpath(cache);
      options.cache_dir = cache.toStdString();
      const std::string source = io::is_xyz_template(text.toStdString())
                                     ? text.toStdString()
                                     : QFileInfo(text).absoluteFilePath().toStdString();
      opened = io::Basemap::open(source, options);
      attribution = QString::fromStdString(opened->attribution());
    } catch (const std::exception& e) {
      error_ = tr("Cannot open the basemap: %1").arg(QString::fromUtf8(e.what()));
      emit errorChanged();
      return false;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    basemap_ = opened;
    pending_.reset();
    ++generation_;
  }
  source_ = text;
  attribution_ = attribution.isEmpty() && opened && io::is_xyz_template(text.toStdString())
                     ? tr("Tiles: %1").arg(QUrl(text).host())
                     : attribution;
  image_ = QImage();
  image_world_ = QRectF();
  shown_.reset();
  ++version_;
  if (!error_.isEmpty()) {
    error_.clear();
    emit errorChanged();
  }
  emit sourceChanged();
  emit imageChanged();
  return true;
}

void BasemapLayer::set_loading(bool b) {
  if (b == loading_) return;
  loading_ = b;
  emit loadingChanged();
}

void BasemapLayer::request(const std::string& crs_wkt, const QRectF& world, QSize pixels) {
  if (!basemap_ || pixels.isEmpty() || world.isEmpty()) return;
  Request r{crs_wkt, world, pixels, generation_};
  if (shown_ && *shown_ == r) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if ((running_ && *running_ == r) || (pending_ && *pending_ == r)) return;
    pending_ = r;
  }
  set_loading(true);
  wake_.notify_all();
}

void BasemapLayer::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || pending_.has_value(); });
    if (stop_) return;
    Request r = *pending_;
    pending_.reset();
    running_ = r;
    std::shared_ptr<io::Basemap> basemap = basemap_;
    lock.unlock();
    QImage image;
    QString failure;
    if (basemap) {
      try {
        Box box;
        box.expand(Point{r.world.left(), r.world.top()});
        box.expand(Point{r.world.right(), r.world.bottom()});
        const io::RgbaImage rgba = basemap->read(box, r.crs, r.pixels.width(), r.pixels.height());
        image = QImage(rgba.pixels.data(), rgba.width, rgba.height, rgba.width * 4,
                       QImage::Format_RGBA8888)
                    .convertToFormat(QImage::Format_ARGB32_Premultiplied);
      } catch (const std::exception& e) {
        failure = QString::fromUtf8(e.what());
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, r, image, failure] {
          if (r.generation != generation_) return;  // the source changed meanwhile
          if (!failure.isEmpty()) {
            error_ = failure;
            emit errorChanged();
          } else {
            image_ = image;
            image_world_ = r.world;
            shown_ = r;
            ++version_;
            emit imageChanged();
          }
          bool more = false;
          {
            std::lock_guard<std::mutex> guard(mutex_);
            more = pending_.has_value() || (running_ && !(*running_ == r));
          }
          if (!more) set_loading(false);
        },
        Qt::QueuedConnection);
    lock.lock();
    running_.reset();
  }
}

}  // namespace gp::studio
