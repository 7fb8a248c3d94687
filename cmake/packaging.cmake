# Installation layout and the Debian package (`make package`, CPack DEB generator).
#
#   /usr/bin/gridplan, /usr/bin/gridplan-studio           the engine CLI and the studio (its Chinese
#                                                          translation is compiled into it)
#   /usr/share/applications/gridplan-studio.desktop       desktop entry, icon in hicolor
#   /usr/share/man/man1/gridplan.1.gz, gridplan-studio.1.gz  made from --help at build time
#   /usr/share/qgis/python/plugins/gridplanner/           the QGIS Processing provider (QGIS's
#                                                          system plugin folder on Debian)
#   /usr/share/gridplanner/{data,scenarios}/              the demo town and its scenarios (the
#                                                          scenarios find ../data as in the source tree)
#   /usr/share/doc/gridplan/                              copyright, changelog, the Chinese guide
#
# Dependencies: dpkg-shlibdeps over the installed binaries (CPACK_DEBIAN_PACKAGE_SHLIBDEPS), plus
# the runtime QML modules and fonts the studio loads at run time (not visible to shlibdeps).

include(GNUInstallDirs)

set(GRIDPLAN_SHARE ${CMAKE_INSTALL_DATADIR}/gridplanner)
set(GRIDPLAN_DOC ${CMAKE_INSTALL_DATADIR}/doc/gridplan)

install(TARGETS gridplan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET gridplan-studio)
  install(TARGETS gridplan-studio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/gridplan-studio.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/planner/qgis_plugin/gridplanner/icon.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME gridplan-studio.svg)
endif()

# The QGIS plugin, without Python caches.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/planner/qgis_plugin/gridplanner
        DESTINATION ${CMAKE_INSTALL_DATADIR}/qgis/python/plugins
        PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)

install(FILES ${PROJECT_SOURCE_DIR}/data/demo-town.gpkg ${PROJECT_SOURCE_DIR}/data/README.md
        DESTINATION ${GRIDPLAN_SHARE}/data)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${GRIDPLAN_SHARE}/scenarios)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/guide/zh-CN/ DESTINATION ${GRIDPLAN_DOC}/guide/zh-CN)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright DESTINATION ${GRIDPLAN_DOC})

# Man pages and the changelog (a native package: changelog.gz), gzip -9n (Debian policy 12.1, 12.7).
find_package(Python3 COMPONENTS Interpreter)
set(GRIDPLAN_MAN_DIR ${PROJECT_BINARY_DIR}/man)
set(GRIDPLAN_MAN_PAGES ${GRIDPLAN_MAN_DIR}/gridplan.1.gz)
add_custom_command(
  OUTPUT ${GRIDPLAN_MAN_DIR}/gridplan.1.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${GRIDPLAN_MAN_DIR}
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/cmake/manpage.py $<TARGET_FILE:gridplan> gridplan
          1 "community grid planning: plan, check, compare and export grids"
          ${GRIDPLAN_MAN_DIR}/gridplan.1.gz --subcommands
  DEPENDS gridplan ${PROJECT_SOURCE_DIR}/cmake/manpage.py
  COMMENT "man page gridplan.1 from gridplan --help")
if(TARGET gridplan-studio)
  list(APPEND GRIDPLAN_MAN_PAGES ${GRIDPLAN_MAN_DIR}/gridplan-studio.1.gz)
  add_custom_command(
    OUTPUT ${GRIDPLAN_MAN_DIR}/gridplan-studio.1.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${GRIDPLAN_MAN_DIR}
    COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
            /usr/bin/python3 ${PROJECT_SOURCE_DIR}/cmake/manpage.py $<TARGET_FILE:gridplan-studio>
            gridplan-studio 1 "GridPlanner studio: see, edit and compare grid plans"
            ${GRIDPLAN_MAN_DIR}/gridplan-studio.1.gz
    DEPENDS gridplan-studio ${PROJECT_SOURCE_DIR}/cmake/manpage.py
    COMMENT "man page gridplan-studio.1 from gridplan-studio --help")
endif()
add_custom_command(
  OUTPUT ${GRIDPLAN_MAN_DIR}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${GRIDPLAN_MAN_DIR}
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/cmake/debian/changelog > ${GRIDPLAN_MAN_DIR}/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/cmake/debian/changelog)
# Not in ALL: `make package` builds it (cmake --build --target package_files).
add_custom_target(package_files DEPENDS ${GRIDPLAN_MAN_PAGES} ${GRIDPLAN_MAN_DIR}/changelog.gz)
install(FILES ${GRIDPLAN_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 OPTIONAL)
install(FILES ${GRIDPLAN_MAN_DIR}/changelog.gz DESTINATION ${GRIDPLAN_DOC} OPTIONAL)

# CPack: one binary package, "gridplan".
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gridplan)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "GridPlanner")
set(CPACK_PACKAGE_CONTACT "GridPlanner developers <gridplanner@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "community grid planning for Chinese districts and counties")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; CPack indents these lines and turns the empty
# line into the " ." paragraph separator.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "GridPlanner (网格规划) divides every community (社区) into large grids and micro
grids under household bounds, never crossing rivers, rail or arterial roads,
from the GIS files planners have (Shapefile in GBK or UTF-8, GeoPackage,
GeoJSON, OpenStreetMap). It estimates grid workers' workload, simulates
events, measures walking coverage of service stations and writes a styled
GeoPackage, Shapefiles and a self-contained HTML report.

This package holds the gridplan command, the gridplan-studio map studio,
the QGIS Processing provider (Plan grids, Check a plan, Compare plans), the
Chinese user guide and a synthetic demo county town.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/gridplanner/gridplanner")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time, so dpkg-shlibdeps cannot see them: the studio's QML modules, Qt's
# offscreen/xcb platform plugins (libqt6gui6), the CJK font; QGIS is only suggested.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "qml6-module-qtquick, qml6-module-qtquick-controls, qml6-module-qtquick-layouts, qml6-module-qtquick-shapes, qml6-module-qtquick-templates, qml6-module-qtquick-window, qml6-module-qtquick-dialogs, qml6-module-qtqml-workerscript, qml6-module-qtcharts, qml6-module-qt-labs-settings, qt6-translations-l10n, fonts-noto-cjk")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qgis, python3-qgis")
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/package)
include(CPack)
