// The studio's main window.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import GridPlanner 1.0

ApplicationWindow {
    id: win
    width: 1600
    height: 1000
    visible: true
    title: qsTr("GridPlanner Studio") + (session.title ? " — " + session.title : "")

    readonly property Session session: studioSession
    property string editMode: "inspect"

    LayerList { id: layerList }
    MapViewport { id: mainViewport }

    function showCompare() { tabs.currentIndex = 3 }
    function prepareScreenshot() {
        if (startView === "table") tabs.currentIndex = 1
        else if (startView === "diagnostics") tabs.currentIndex = 2
        else if (startView === "compare") tabs.currentIndex = 3
        else if (startView === "basemap") basemapDialog.open()
        else if (startView === "guide") guideDialog.open()  // Help → User guide
        mapView.fitAll()
        if (startView !== "compare" || !compareView.fitMoved()) compareView.fitBoth()
        mapView.canvas.settle()
    }
    function colourTitle(key) { return legend.colourTitle(key) }
    // Evaluates the plan in the background; the colouring switches to utilisation when done.
    function runSimulation() {
        if (win.session.simulate()) pendingUtilisation = true
    }
    property bool pendingUtilisation: false

    Connections {
        target: win.session
        function onOpened() { mapView.fitAll() }
    }
    Connections {
        target: win.session
        function onSimulationChanged() {
            if (win.pendingUtilisation && win.session.hasSimulation) {
                win.pendingUtilisation = false
                win.session.colourBy = "utilisation"
            }
        }
    }
    Connections {
        target: compareSession
        function onOpened() { compareView.fitBoth() }
    }

    FileDialog {
        id: openDialog
        property bool forCompare: false
        title: forCompare ? qsTr("Open a scenario to compare") : qsTr("Open scenario, run or input files")
        fileMode: FileDialog.OpenFiles
        nameFilters: [qsTr("GIS files (*.gpkg *.shp *.geojson *.json *.fgb *.osm *.pbf *.toml)"), qsTr("All files (*)")]
        onAccepted: (forCompare ? compareSession : win.session).openUrls(selectedFiles)
    }
    FolderDialog {
        id: folderDialog
        title: qsTr("Open a run directory")
        onAccepted: win.session.openUrls([selectedFolder])
    }
    // Basemap: an XYZ tile URL template or a raster file (GeoTIFF, MBTiles) read through GDAL.
    Dialog {
        id: basemapDialog
        objectName: "basemapDialog"
        title: qsTr("Basemap")
        modal: true
        anchors.centerIn: parent
        standardButtons: Dialog.Ok | Dialog.Cancel
        onOpened: basemapField.text = studioBasemap.source
        onAccepted: if (!studioBasemap.setSource(basemapField.text)) basemapDialog.open()
        ColumnLayout {
            spacing: 6
            Label { text: qsTr("XYZ tile URL template (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png)\nor a GeoTIFF / MBTiles file. Empty: no basemap.") }
            RowLayout {
                TextField { id: basemapField; implicitWidth: 460; placeholderText: qsTr("URL template or file") }
                Button { text: qsTr("Choose file…"); onClicked: basemapFileDialog.open() }
            }
            Label { visible: studioBasemap.error !== ""; text: studioBasemap.error; color: "#b00"; wrapMode: Text.Wrap; Layout.maximumWidth: 560 }
            Button { text: qsTr("Remove basemap"); enabled: studioBasemap.active; onClicked: { studioBasemap.clear(); basemapDialog.close() } }
        }
    }
    FileDialog {
        id: basemapFileDialog
        title: qsTr("Choose a basemap raster")
        nameFilters: [qsTr("Rasters (*.tif *.tiff *.mbtiles *.gpkg *.vrt *.jp2 *.png *.jpg)"), qsTr("All files (*)")]
        onAccepted: basemapField.text = selectedFile.toString().replace(/^file:\/\//, "")
    }
    FileDialog {
        id: exportDialog
        title: qsTr("Export grids")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("GeoPackage (*.gpkg)")]
        onAccepted: win.session.exportTo(selectedFile.toString().replace(/^file:\/\//, ""))
    }

    menuBar: MenuBar {
        Menu {
            title: qsTr("&File")
            Action { text: qsTr("&Open files…"); shortcut: StandardKey.Open; onTriggered: { openDialog.forCompare = false; openDialog.open() } }
            Action { text: qsTr("Open &run directory…"); onTriggered: folderDialog.open() }
            Action { text: qsTr("&Compare with…"); onTriggered: { openDialog.forCompare = true; openDialog.open(); win.showCompare() } }
            Action { text: qsTr("&Export…"); enabled: win.session.hasPlan; onTriggered: exportDialog.open() }
            Action { text: qsTr("&Basemap…"); onTriggered: basemapDialog.open() }
            MenuSeparator {}
            Action { text: qsTr("&Quit"); shortcut: StandardKey.Quit; onTriggered: Qt.quit() }
        }
        Menu {
            title: qsTr("&Edit")
            Action { text: qsTr("&Undo %1").arg(win.session.undoText); enabled: win.session.canUndo; shortcut: StandardKey.Undo; onTriggered: win.session.undo() }
            Action { text: qsTr("&Redo %1").arg(win.session.redoText); enabled: win.session.canRedo; shortcut: StandardKey.Redo; onTriggered: win.session.redo() }
            MenuSeparator {}
            Action { text: qsTr("Re-plan unlocked grids"); enabled: win.session.hasPlan && !win.session.busy; onTriggered: win.session.replan() }
            Action { text: qsTr("Re-run the simulation"); enabled: win.session.hasPlan && !win.session.busy; onTriggered: win.runSimulation() }
            Action { text: qsTr("Lasso selection"); checkable: true; checked: win.editMode === "lasso"; enabled: win.session.hasPlan; onTriggered: win.editMode = (win.editMode === "lasso" ? "inspect" : "lasso") }
        }
        Menu {
            title: qsTr("&View")
            Action { text: qsTr("Zoom to whole town"); shortcut: "Ctrl+0"; onTriggered: mapView.fitAll() }
            Action { text: qsTr("Grid labels"); checkable: true; checked: mapView.showLabels; onToggled: mapView.showLabels = checked }
        }
        Menu {
            title: qsTr("&Help")
            Action { objectName: "userGuide"; text: qsTr("&User guide (Chinese)"); shortcut: StandardKey.HelpContents; onTriggered: guideDialog.open() }
        }
    }

    // The Chinese user guide (docs/guide/zh-CN), compiled into the studio: opens offline.
    GuideDialog { id: guideDialog }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            spacing: 6
            ToolButton { text: qsTr("Open"); onClicked: { openDialog.forCompare = false; openDialog.open() } }
            ToolSeparator {}
            Label { text: qsTr("Colour by") }
            ComboBox {
                id: colourBox
                objectName: "colourBy"
                model: win.session.colourKeys
                displayText: win.colourTitle(currentText)
                delegate: ItemDelegate { required property string modelData; text: win.colourTitle(modelData); width: parent ? parent.width : 200 }
                currentIndex: Math.max(0, win.session.colourKeys.indexOf(win.session.colourBy))
                onActivated: (i) => { win.session.colourBy = win.session.colourKeys[i]; compareSession.colourBy = win.session.colourKeys[i] }
                implicitWidth: 200
            }
            ToolSeparator {}
            ButtonGroup { id: modeGroup }
            ToolButton { text: qsTr("Inspect"); checkable: true; checked: win.editMode === "inspect"; ButtonGroup.group: modeGroup; onClicked: win.editMode = "inspect" }
            ToolButton { text: qsTr("Move building"); checkable: true; checked: win.editMode === "move"; ButtonGroup.group: modeGroup; onClicked: win.editMode = "move"; enabled: win.session.hasPlan }
            ToolButton { text: qsTr("Move compound"); checkable: true; checked: win.editMode === "moveCompound"; ButtonGroup.group: modeGroup; onClicked: win.editMode = "moveCompound"; enabled: win.session.hasPlan }
            ToolButton { objectName: "lassoButton"; text: qsTr("Lasso"); checkable: true; checked: win.editMode === "lasso"; ButtonGroup.group: modeGroup; onClicked: win.editMode = "lasso"; enabled: win.session.hasPlan }
            CheckBox { visible: win.editMode === "lasso"; text: qsTr("whole compounds"); checked: mapView.lassoCompounds; onToggled: mapView.lassoCompounds = checked }
            ToolButton { text: qsTr("Undo"); enabled: win.session.canUndo; onClicked: win.session.undo() }
            ToolButton { text: qsTr("Redo"); enabled: win.session.canRedo; onClicked: win.session.redo() }
            ToolButton { text: qsTr("Re-plan"); enabled: win.session.hasPlan && !win.session.busy; onClicked: win.session.replan() }
            ToolButton {
                objectName: "simulateButton"
                text: win.session.hasSimulation && win.session.simulationStale ? qsTr("Simulate (plan changed)") : qsTr("Simulate")
                enabled: win.session.hasPlan && !win.session.busy
                onClicked: win.runSimulation()
            }
            Item { Layout.fillWidth: true }
            ProgressBar {
                visible: win.session.busy || compareSession.busy
                value: win.session.busy ? win.session.progress : compareSession.progress
                implicitWidth: 160
            }
            Label { visible: win.session.busy; text: win.session.progressText }
            // The text's elapsed time and estimate move every second, also while the engine is
            // inside one long step.
            Timer { interval: 1000; repeat: true; running: win.session.busy; onTriggered: win.session.refreshProgress() }
            ToolButton { visible: win.session.busy || compareSession.busy; text: qsTr("Cancel"); onClicked: { win.session.cancel(); compareSession.cancel() } }
        }
    }

    footer: ToolBar {
        RowLayout {
            anchors.fill: parent
            Label {
                Layout.fillWidth: true
                elide: Text.ElideRight
                color: win.session.error ? "#b00" : "#222"
                text: win.session.message
            }
            Label {
                text: win.session.hasPlan
                      ? qsTr("%1 buildings · %2 households · %3 large / %4 micro grids · %5 outside bounds · %6 not contiguous")
                          .arg(win.session.summary.buildings).arg(win.session.summary.households)
                          .arg(win.session.summary.largeGrids).arg(win.session.summary.microGrids)
                          .arg(win.session.summary.boundViolations).arg(win.session.summary.discontiguous)
                      : win.session.hasData ? qsTr("%1 buildings · planning…").arg(win.session.summary.buildings) : qsTr("No data: open a scenario, a run directory or input files (or drop them here)")
            }
            Label {
                objectName: "simulationSummary"
                visible: win.session.hasSimulation
                color: win.session.simulationStale ? "#b06000" : "#222"
                text: (win.session.simulationStale ? qsTr("simulation (before the last edits): ") : qsTr("simulation: "))
                      + qsTr("%1 workers · utilisation %2% · p90 response %3 h · %4% within %5 m")
                          .arg(win.session.simulationSummary.workers)
                          .arg(win.session.simulationSummary.utilisation !== undefined ? (win.session.simulationSummary.utilisation * 100).toFixed(1) : "–")
                          .arg(win.session.simulationSummary.responseP90h !== undefined ? win.session.simulationSummary.responseP90h.toFixed(1) : "–")
                          .arg(win.session.simulationSummary.coverageShare !== undefined ? (win.session.simulationSummary.coverageShare * 100).toFixed(0) : "–")
                          .arg(win.session.simulationSummary.coverageThresholdM)
            }
            Label { visible: win.session.lastEditMs > 0; text: qsTr("last edit %1 ms").arg(win.session.lastEditMs.toFixed(1)) }
        }
    }

    DropArea {
        anchors.fill: parent
        onDropped: (drop) => { if (drop.hasUrls) win.session.openUrls(drop.urls) }
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal

        ScrollView {
            SplitView.preferredWidth: 230
            ColumnLayout {
                width: 220
                spacing: 10
                LayerPanel { layers: layerList; Layout.margins: 6 }
                Legend { id: legend; session: win.session; Layout.margins: 6 }
            }
        }
        ColumnLayout {
            SplitView.fillWidth: true
            spacing: 0
            TabBar {
                id: tabs
                Layout.fillWidth: true
                TabButton { text: qsTr("Map") }
                TabButton { text: qsTr("Grid table") }
                TabButton { text: qsTr("Diagnostics") }
                TabButton { text: qsTr("Compare") }
            }
            StackLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                currentIndex: tabs.currentIndex
                MapView {
                    id: mapView
                    objectName: "mainMap"
                    session: win.session
                    viewport: mainViewport
                    layers: layerList
                    basemap: studioBasemap
                    mode: win.editMode
                }
                GridTable {
                    session: win.session
                    onZoomRequested: (box) => { tabs.currentIndex = 0; mapView.zoomTo(box) }
                }
                DiagnosticsList {
                    session: win.session
                    onZoomRequested: (box) => { tabs.currentIndex = 0; mapView.zoomTo(box) }
                }
                CompareView {
                    id: compareView
                    leftSession: win.session
                    rightSession: compareSession
                    layers: layerList
                    basemap: studioBasemap
                    onOpenRight: { openDialog.forCompare = true; openDialog.open() }
                }
            }
        }
        ScrollView {
            SplitView.preferredWidth: 300
            InspectPanel {
                width: 290
                session: win.session
                onZoomRequested: (box) => { tabs.currentIndex = 0; mapView.zoomTo(box) }
            }
        }
    }
}
