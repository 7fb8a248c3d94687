// Two scenarios side by side on one shared viewport, with their figures and the buildings
// whose grid differs (highlighted on both maps).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import GridPlanner 1.0

ColumnLayout {
    id: root
    property Session leftSession
    property Session rightSession
    property LayerList layers
    property BasemapLayer basemap
    signal openRight()
    readonly property alias viewport: sharedViewport
    spacing: 4

    MapViewport { id: sharedViewport }
    CompareModel { id: diff; left: root.leftSession; right: root.rightSession }

    function figureTitle(key) {
        switch (key) {
        case "buildings": return qsTr("Buildings")
        case "households": return qsTr("Households")
        case "largeGrids": return qsTr("Large grids")
        case "microGrids": return qsTr("Micro grids")
        case "boundViolations": return qsTr("Grids outside bounds")
        case "discontiguous": return qsTr("Grids not contiguous")
        case "barrierCrossings": return qsTr("Barrier crossings")
        case "compoundSplits": return qsTr("Compounds split")
        case "meanCompactness": return qsTr("Mean compactness")
        }
        return key
    }
    function fmt(v) { return v === undefined ? "–" : (typeof v === "number" && !Number.isInteger(v)) ? v.toFixed(3) : String(v) }
    function fitBoth() { if (leftSession && leftSession.hasData) sharedViewport.fitRect(leftSession.extent, 0.03) }
    // Zooms both maps to the buildings whose grid differs (false when there are none).
    function fitMoved() {
        const box = diff.movedBox()
        if (box.width <= 0 && box.height <= 0) return false
        sharedViewport.fitRect(Qt.rect(box.x - 80, box.y - 80, box.width + 160, box.height + 160), 0.05)
        return true
    }

    RowLayout {
        Layout.fillWidth: true
        Label { text: qsTr("Left: %1").arg(root.leftSession ? root.leftSession.title : ""); font.bold: true; Layout.fillWidth: true }
        Label { text: qsTr("Right: %1").arg(root.rightSession && root.rightSession.hasData ? root.rightSession.title : qsTr("(none)")); font.bold: true; Layout.fillWidth: true }
        Button { text: qsTr("Zoom to the differences"); enabled: diff.movedBuildings > 0; onClicked: root.fitMoved() }
        Button { text: qsTr("Open scenario to compare…"); onClicked: root.openRight() }
    }
    SplitView {
        Layout.fillWidth: true
        Layout.fillHeight: true
        orientation: Qt.Horizontal
        MapView {
            id: leftMap
            SplitView.preferredWidth: root.width / 2
            session: root.leftSession
            viewport: sharedViewport
            layers: root.layers
            basemap: root.basemap
        }
        MapView {
            id: rightMap
            session: root.rightSession
            viewport: sharedViewport
            layers: root.layers
            basemap: root.basemap
        }
    }
    RowLayout {
        Layout.fillWidth: true
        // The maps take the rest: the figures and the list of moved buildings scroll.
        Layout.preferredHeight: 200
        Layout.maximumHeight: 200
        GridLayout {
            columns: 3
            rowSpacing: 1
            Layout.alignment: Qt.AlignTop
            Label { text: qsTr("Figure"); font.bold: true }
            Label { text: qsTr("Left"); font.bold: true }
            Label { text: qsTr("Right"); font.bold: true }
            Repeater {
                model: diff.figures
                delegate: Label { required property var modelData; text: root.figureTitle(modelData.key); Layout.row: index + 1; Layout.column: 0; required property int index }
            }
            Repeater {
                model: diff.figures
                delegate: Label { required property var modelData; text: root.fmt(modelData.left); Layout.row: index + 1; Layout.column: 1; required property int index }
            }
            Repeater {
                model: diff.figures
                delegate: Label {
                    required property var modelData
                    required property int index
                    text: root.fmt(modelData.right)
                    Layout.row: index + 1
                    Layout.column: 2
                    color: String(modelData.left) !== String(modelData.right) ? "#c05000" : "#000"
                }
            }
        }
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Label { text: qsTr("Buildings in a different grid: %1 (%2 households)").arg(diff.movedBuildings).arg(diff.movedHouseholds); font.bold: true }
            ListView {
                id: moved
                objectName: "movedList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: diff
                ScrollBar.vertical: ScrollBar {}
                delegate: ItemDelegate {
                    id: m
                    required property int building
                    required property var buildingId
                    required property string name
                    required property int households
                    required property string leftMicro
                    required property string rightMicro
                    width: moved.width
                    height: 22
                    text: qsTr("#%1 %2 (%3 households): %4 → %5").arg(m.buildingId).arg(m.name).arg(m.households)
                          .arg(m.leftMicro).arg(m.rightMicro)
                    onClicked: {
                        root.leftSession.select("building", m.building)
                        leftMap.zoomTo(root.leftSession.featureBox("building", m.building))
                    }
                }
            }
        }
    }
}
