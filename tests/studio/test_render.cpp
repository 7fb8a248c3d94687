// Offscreen render of the demo plan through the studio's MapView (scene-graph canvas + labels):
// grid fill colours and label pixels must be in the image.
#include <QQmlComponent>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickView>
#include <QQuickWindow>
#include <QTest>
#include <catch2/catch.hpp>

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
