// Catch2 main with a Qt application: the studio's models, scene graph and QML need one.
#define CATCH_CONFIG_RUNNER
#include <QGuiApplication>
#include <catch2/catch.hpp>

#include "studio.hpp"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  int qt_argc = 1;
  QGuiApplication app(qt_argc, argv);
  gp::studio::use_cjk_font();
  gp::studio::register_qml_types();
  return Catch::Session().run(argc, argv);
}
