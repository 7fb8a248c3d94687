// Qt Quick Test runner for the studio's QML components (tests/studio/qml/tst_*.qml); the C++
// types are registered before the tests' engine loads them.
#include <QtQuickTest/quicktest.h>
#include <QGuiApplication>
#include <QQmlEngine>

#include "studio.hpp"

class Setup : public QObject {
  Q_OBJECT
 public slots:
  void applicationAvailable() { gp::studio::register_qml_types(); }
  void qmlEngineAvailable(QQmlEngine*) {}
};

QUICK_TEST_MAIN_WITH_SETUP(studio, Setup)

#include "qml_main.moc"
