// Offscreen render of the demo plan through the studio's MapView (scene-graph canvas + labels):
// grid fill colours and label pixels must be in the image.
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <QQmlComponent>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickView>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
#include <catch2/catch.hpp>
#include <cmath>

#include "basemap_layer.hpp"
#include "fixture.hpp"
#include "map_canvas.hpp"

using namespace gp::studio;

namespace {

struct Counts {
  long coloured = 0;  // saturated pixels: grid fills
  long dark = 0;      // near-black pixels: label text, boundaries
};

Counts count(const QImage& image) {
  Counts c;
  const QImage img = image.convertToFormat(QImage::Format_RGB32);
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) {
      const QColor p = QColor::fromRgb(img.pixel(x, y));
      if (p.hsvSaturation() > 60 && p.value() > 80) ++c.coloured;
      if (p.value() < 50) ++c.dark;
    }
  return c;
}

QImage render(QQuickView& view) {
  // Let labels lay out and the software canvas paint sharply before grabbing.
  for (int i = 0; i < 5; ++i) QTest::qWait(60);
  return view.grabWindow();
}

}  // namespace

TEST_CASE("render: the demo plan offscreen shows grid fills and labels") {
  Session& session = test::demo_session();
  REQUIRE(session.hasPlan());
  session.setColourBy(QStringLiteral("households"));

  QQuickView view;
  view.engine()->addImportPath(QStringLiteral(GRIDPLAN_STUDIO_QML_DIR));
  view.rootContext()->setContextProperty(QStringLiteral("testSession"), &session);
  view.setResizeMode(QQuickView::SizeRootObjectToView);
  view.setSource(
      QUrl::fromLocalFile(QStringLiteral(GRIDPLAN_SOURCE_DIR "/tests/studio/RenderHost.qml")));
  REQUIRE(view.status() == QQuickView::Ready);
  view.resize(1000, 700);
  view.show();
  QTest::qWait(50);
  QQuickItem* root = view.rootObject();
  REQUIRE(root);
  QMetaObject::invokeMethod(root, "fitAll");

  const QImage with_labels = render(view);
  REQUIRE(!with_labels.isNull());
  with_labels.save(QStringLiteral("render-demo.png"));
  const Counts a = count(with_labels);
  CHECK(root->property("labelCount").toInt() > 10);

  root->setProperty("showLabels", false);
  const QImage without_labels = render(view);
  const Counts b = count(without_labels);

  const long pixels = static_cast<long>(with_labels.width()) * with_labels.height();
  INFO("coloured " << a.coloured << ", dark with labels " << a.dark << ", without " << b.dark);
  CHECK(a.coloured > pixels / 10);  // grid fills cover a good part of the map
  CHECK(a.dark > b.dark + 500);     // label glyphs add dark pixels
  long differ = 0;
  for (int y = 0; y < with_labels.height(); ++y)
    for (int x = 0; x < with_labels.width(); ++x)
      if (with_labels.pixel(x, y) != without_labels.pixel(x, y)) ++differ;
  CHECK(differ > 2000);

  // Hiding the grid colouring removes the fills.
  auto* canvas = root->findChild<MapCanvas*>();
  REQUIRE(canvas);
  canvas->layers()->setVisible(QStringLiteral("gridFill"), false);
  canvas->settle();
  const Counts c = count(render(view));
  CHECK(c.coloured < a.coloured / 2);  // stations, rivers and red outlines remain
  canvas->layers()->setVisible(QStringLiteral("gridFill"), true);
}

namespace {

/// A one-colour GeoTIFF (magenta) covering `box` (metres, CRS `wkt`) at 4 m per pixel.
QString write_basemap_tif(const QString& path, const gp::Box& box, const std::string& wkt) {
  GDALAllRegister();
  const int w = static_cast<int>(box.width() / 4.0) + 1,
            h = static_cast<int>(box.height() / 4.0) + 1;
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDataset* ds = gtiff->Create(path.toUtf8().constData(), w, h, 3, GDT_Byte, nullptr);
  double gt[6] = {box.min_x, 4.0, 0.0, box.max_y, 0.0, -4.0};
  ds->SetGeoTransform(gt);
  OGRSpatialReference srs;
  srs.importFromWkt(wkt.c_str());
  ds->SetSpatialRef(&srs);
  const GByte colour[3] = {0xff, 0x00, 0xff};
  std::vector<GByte> row(static_cast<std::size_t>(w));
  for (int b = 0; b < 3; ++b) {
    std::fill(row.begin(), row.end(), colour[b]);
    for (int y = 0; y < h; ++y)
      if (ds->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, y, w, 1, row.data(), w, 1, GDT_Byte, 0, 0,
                                             nullptr) != CE_None)
        return {};
  }
  GDALClose(ds);
  return path;
}

bool magenta(QRgb p) {
  return qRed(p) > 235 && qGreen(p) < 20 && qBlue(p) > 235;
}

}  // namespace

TEST_CASE("render: a GeoTIFF basemap draws under the grids") {
  Session& session = test::demo_session();
  REQUIRE(session.hasPlan());
  session.setColourBy(QStringLiteral("households"));
  QTemporaryDir dir;
  REQUIRE(dir.isValid());
  // The basemap covers the town and 2 km around it, in the plan's CRS.
  gp::Box box = session.dataset()->extent();
  box.min_x -= 2000;
  box.min_y -= 2000;
  box.max_x += 2000;
  box.max_y += 2000;
  const QString tif =
      write_basemap_tif(dir.filePath(QStringLiteral("base.tif")), box, session.dataset()->crs_wkt);

  QQuickView view;
  view.engine()->addImportPath(QStringLiteral(GRIDPLAN_STUDIO_QML_DIR));
  view.rootContext()->setContextProperty(QStringLiteral("testSession"), &session);
  view.setResizeMode(QQuickView::SizeRootObjectToView);
  view.setSource(
      QUrl::fromLocalFile(QStringLiteral(GRIDPLAN_SOURCE_DIR "/tests/studio/RenderHost.qml")));
  REQUIRE(view.status() == QQuickView::Ready);
  view.resize(900, 600);
  view.show();
  QTest::qWait(50);
  QQuickItem* root = view.rootObject();
  REQUIRE(root);
  root->setProperty("showLabels", false);
  QMetaObject::invokeMethod(root, "fitAll");
  const QImage plain = render(view);

  BasemapLayer basemap;
  REQUIRE(basemap.setSource(tif));
  CHECK(basemap.active());
  root->setProperty("basemap", QVariant::fromValue(&basemap));
  QMetaObject::invokeMethod(root, "settle");
  for (int i = 0; i < 100 && (basemap.version() < 2 || basemap.loading()); ++i) QTest::qWait(50);
  REQUIRE(!basemap.image().isNull());
  QMetaObject::invokeMethod(root, "settle");
  const QImage with_base = render(view);
  with_base.save(QStringLiteral("render-basemap.png"));
  REQUIRE(with_base.size() == plain.size());

  // Where the map was empty the basemap shows; where grid fills were, they stay on top.
  long empty = 0, empty_now_base = 0, fill = 0, fill_still_fill = 0;
  for (int y = 0; y < plain.height(); ++y)
    for (int x = 0; x < plain.width(); ++x) {
      const QRgb a = plain.pixel(x, y), b = with_base.pixel(x, y);
      if ((a & 0xffffff) == 0xeeece6) {
        ++empty;
        empty_now_base += magenta(b) ? 1 : 0;
      } else if (QColor::fromRgb(a).hsvSaturation() > 60 && QColor::fromRgb(a).value() > 80 &&
                 !magenta(a)) {
        ++fill;
        fill_still_fill += magenta(b) ? 0 : 1;
      }
    }
  INFO("empty " << empty << " → basemap " << empty_now_base << "; fills " << fill << " kept "
                << fill_still_fill);
  REQUIRE(empty > 1000);
  REQUIRE(fill > 1000);
  CHECK(empty_now_base > empty * 9 / 10);
  CHECK(fill_still_fill > fill * 9 / 10);

  // The layer toggle hides it; removing it restores the plain map.
  auto* canvas = root->findChild<MapCanvas*>();
  REQUIRE(canvas);
  canvas->layers()->setVisible(QStringLiteral("basemap"), false);
  canvas->settle();
  long base_pixels = 0;
  const QImage hidden = render(view);
  for (int y = 0; y < hidden.height(); y += 2)
    for (int x = 0; x < hidden.width(); x += 2) base_pixels += magenta(hidden.pixel(x, y)) ? 1 : 0;
  CHECK(base_pixels == 0);
  canvas->layers()->setVisible(QStringLiteral("basemap"), true);
  root->setProperty("basemap", QVariant::fromValue<BasemapLayer*>(nullptr));
  CHECK(!basemap.setSource(dir.filePath(QStringLiteral("missing.tif"))));
  CHECK(!basemap.error().isEmpty());
}

TEST_CASE("render: a lasso drawn with the mouse selects the buildings inside it") {
  Session& session = test::demo_session();
  REQUIRE(session.hasPlan());
  QQuickView view;
  view.engine()->addImportPath(QStringLiteral(GRIDPLAN_STUDIO_QML_DIR));
  view.rootContext()->setContextProperty(QStringLiteral("testSession"), &session);
  view.setResizeMode(QQuickView::SizeRootObjectToView);
  view.setSource(
      QUrl::fromLocalFile(QStringLiteral(GRIDPLAN_SOURCE_DIR "/tests/studio/RenderHost.qml")));
  REQUIRE(view.status() == QQuickView::Ready);
  view.resize(900, 600);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  QQuickItem* root = view.rootObject();
  QMetaObject::invokeMethod(root, "fitAll");
  root->setProperty("mode", QStringLiteral("lasso"));
  auto* vp = root->property("viewport").value<MapViewport*>();
  REQUIRE(vp);
  // A circle of 60 px radius around the view centre, drawn as a drag.
  const QPoint c(450, 300);
  QTest::mousePress(&view, Qt::LeftButton, {}, c + QPoint(60, 0));
  for (int k = 1; k <= 24; ++k) {
    const double a = k * 2 * M_PI / 24;
    QTest::mouseMove(
        &view, c + QPoint(static_cast<int>(60 * std::cos(a)), static_cast<int>(60 * std::sin(a))));
  }
  // The lasso being drawn is on screen (a dashed outline over a light fill).
  QTest::qWait(50);
  const QImage drawing = view.grabWindow();
  drawing.save(QStringLiteral("render-lasso-drawing.png"));
  long lasso_pixels = 0;
  for (int y = 220; y < 380; ++y)
    for (int x = 370; x < 530; ++x) {
      const QRgb p = drawing.pixel(x, y);
      lasso_pixels += qBlue(p) > 120 && qRed(p) < 40 && qGreen(p) < 80 ? 1 : 0;  // #08309c
    }
  CHECK(lasso_pixels > 50);
  QTest::mouseRelease(&view, Qt::LeftButton, {}, c + QPoint(60, 0));
  QTest::qWait(50);
  view.grabWindow().save(QStringLiteral("render-lasso-selected.png"));
  // The buildings whose centroid is within the circle (in world units: 60 px / scale).
  const QPointF centre = vp->toWorld(c.x(), c.y());
  const double r = 60.0 / vp->scale();
  int inside = 0, clearly = 0;
  for (const gp::Building& b : session.dataset()->buildings) {
    const gp::Point p = gp::centroid(b.footprint);
    const double d = std::hypot(p.x - centre.x(), p.y - centre.y());
    inside += d < r * 0.9 ? 1 : 0;
    clearly += d < r * 1.1 ? 1 : 0;
  }
  REQUIRE(inside > 0);
  CHECK(session.lassoCount() >= inside);
  CHECK(session.lassoCount() <= clearly + 200);  // whole compounds join
  CHECK(session.selectedKind() == QStringLiteral("lasso"));
  session.select(QString(), -1);
}
