#pragma once
// Registration of the studio's C++ types with QML (module "GridPlanner 1.0") and the location of
// its QML files (compiled into resources, or read from the source tree in tests).

#include <QString>
#include <QUrl>

class QTranslator;
class QCoreApplication;

namespace gp::studio {

void register_qml_types();
/// qrc URL of the main window.
QUrl main_qml_url();
/// Installs the translator for `lang` ("zh" default, "en" = the source strings). Returns false
/// when the translation file is missing.
bool install_translator(QCoreApplication& app, const QString& lang);
/// Sets a CJK-capable default font (Noto Sans CJK SC when installed).
void use_cjk_font();
/// The studio opens and plans town after town in one long-lived process. glibc gives threads
/// their own malloc arenas, and the freed towns fragment across them: with the default, the
/// resident set crept up ~10 MiB per re-plan of a 100k-building town; with two arenas it stays
/// flat (docs/benchmarks.md, "Repeated runs"). Two arenas unless MALLOC_ARENA_MAX is set.
/// Call first thing in main, before threads start.
void limit_malloc_arenas();

}  // namespace gp::studio
