#include "studio.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <QtQml/qqml.h>
#include <QCoreApplication>
#include <QFont>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include "basemap_layer.hpp"
#include "compare.hpp"
#include "map_canvas.hpp"
#include "map_viewport.hpp"
#include "models.hpp"
#include "session.hpp"

namespace gp::studio {

void register_qml_types() {
  const char* uri = "GridPlanner";
  qmlRegisterType<MapViewport>(uri, 1, 0, "MapViewport");
  qmlRegisterType<MapCanvas>(uri, 1, 0, "MapCanvas");
  qmlRegisterType<LayerList>(uri, 1, 0, "LayerList");
  qmlRegisterType<MapLabels>(uri, 1, 0, "MapLabels");
  qmlRegisterType<Session>(uri, 1, 0, "Session");
  qmlRegisterType<CompareModel>(uri, 1, 0, "CompareModel");
  qmlRegisterType<BasemapLayer>(uri, 1, 0, "BasemapLayer");
  qmlRegisterUncreatableType<GridTableModel>(uri, 1, 0, "GridTableModel",
                                             QStringLiteral("from Session"));
  qmlRegisterUncreatableType<GridTableProxy>(uri, 1, 0, "GridTableProxy",
                                             QStringLiteral("from Session"));
  qmlRegisterUncreatableType<DiagnosticsModel>(uri, 1, 0, "DiagnosticsModel",
                                               QStringLiteral("from Session"));
}

QUrl main_qml_url() {
  return QUrl(QStringLiteral("qrc:/qt/qml/GridPlanner/Studio/Main.qml"));
}

bool install_translator(QCoreApplication& app, const QString& lang) {
  if (lang.startsWith(QLatin1String("en"))) return true;  // source strings are English
  auto* translator = new QTranslator(&app);
  if (!translator->load(QStringLiteral(":/i18n/gridplan_zh_CN.qm"))) {
    delete translator;
    return false;
  }
  QCoreApplication::installTranslator(translator);
  // Qt's own strings (dialog buttons: OK, Cancel, ...) from qt6-translations-l10n when installed.
  auto* qt = new QTranslator(&app);
  if (qt->load(QLocale(QLocale::Chinese, QLocale::China), QStringLiteral("qt"), QStringLiteral("_"),
               QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    QCoreApplication::installTranslator(qt);
  else
    delete qt;
  return true;
}

void limit_malloc_arenas() {
#ifdef __GLIBC__
  if (qEnvironmentVariableIsEmpty("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);
#endif
}

void use_cjk_font() {
  const QStringList families = QFontDatabase::families();
  for (const char* name : {"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans SC"})
    if (families.contains(QString::fromLatin1(name))) {
      QFont f(QString::fromLatin1(name));
      f.setPointSizeF(10);
      QGuiApplication::setFont(f);
      return;
    }
}

}  // namespace gp::studio
