// Figures of the selected building, grid or station, and the grid actions.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: root
    property var session
    signal zoomRequested(rect box)
    readonly property var info: session ? session.selectedInfo : ({})
    spacing: 2

    function kindTitle(kind) {
        switch (kind) {
        case "building": return qsTr("Building")
        case "micro": return qsTr("Micro grid")
        case "large": return qsTr("Large grid")
        case "station": return qsTr("Service station")
        case "lasso": return qsTr("Lasso selection")
        }
        return qsTr("Nothing selected")
    }
    function label(key) {
        switch (key) {
        case "id": return qsTr("ID")
        case "name": return qsTr("Name")
        case "code": return qsTr("Code")
        case "use": return qsTr("Use")
        case "households": return qsTr("Households")
        case "householdsEstimated": return qsTr("Households estimated")
        case "floors": return qsTr("Floors")
        case "units": return qsTr("Units (entrances)")
        case "footprintM2": return qsTr("Footprint m²")
        case "compound": return qsTr("Compound")
        case "community": return qsTr("Community")
        case "microCode": return root.info.kind === "lasso" ? qsTr("Micro grids") : qsTr("Micro grid")
        case "largeCode": return qsTr("Large grid")
        case "neighbourGrids": return qsTr("Neighbouring micro grids")
        case "buildings": return qsTr("Buildings")
        case "workload": return qsTr("Workload")
        case "areaKm2": return qsTr("Area km²")
        case "compactness": return qsTr("Compactness")
        case "contiguous": return qsTr("Contiguous")
        case "belowMin": return qsTr("Below minimum")
        case "aboveMax": return qsTr("Above maximum")
        case "barrierCrossings": return qsTr("Barrier crossings")
        case "compoundSplits": return qsTr("Compounds split")
        case "locked": return qsTr("Locked")
        case "boundsMin": return qsTr("Minimum households")
        case "boundsMax": return qsTr("Maximum households")
        case "tier": return qsTr("Tier")
        case "floorM2": return qsTr("Floor area m²")
        }
        return key
    }
    function value(v) {
        if (v === true) return qsTr("yes")
        if (v === false) return qsTr("no")
        if (typeof v === "number" && !Number.isInteger(v)) return v.toFixed(3)
        return String(v)
    }
    readonly property var keys: {
        const order = ["code", "name", "id", "use", "tier", "households", "householdsEstimated", "floors", "units",
                       "footprintM2", "floorM2", "buildings", "workload", "areaKm2", "compactness",
                       "boundsMin", "boundsMax", "belowMin", "aboveMax", "contiguous", "barrierCrossings",
                       "compoundSplits", "locked", "compound", "community", "largeCode", "microCode",
                       "neighbourGrids"]
        return order.filter(k => info[k] !== undefined && info[k] !== "")
    }

    Label { text: qsTr("Inspect"); font.bold: true }
    Label { objectName: "inspectKind"; text: root.kindTitle(root.info.kind); font.italic: true }
    GridLayout {
        columns: 2
        columnSpacing: 8
        rowSpacing: 1
        Layout.fillWidth: true
        Repeater {
            model: root.keys
            delegate: Label {
                required property var modelData
                required property int index
                Layout.row: index
                Layout.column: 0
                text: root.label(modelData)
                color: "#555"
            }
        }
        Repeater {
            model: root.keys
            delegate: Label {
                required property var modelData
                required property int index
                Layout.row: index
                Layout.column: 1
                Layout.fillWidth: true
                text: root.value(root.info[modelData])
                elide: Text.ElideRight
                color: (modelData === "belowMin" || modelData === "aboveMax") && root.info[modelData] === true ? "#c00"
                     : modelData === "contiguous" && root.info[modelData] === false ? "#c00" : "#000"
            }
        }
    }
    RowLayout {
        visible: root.info.kind === "micro" || root.info.kind === "large"
        Button {
            text: root.info.locked ? qsTr("Unlock grid") : qsTr("Lock grid")
            onClicked: root.session.setLocked(root.info.kind, root.session.selectedIndex, !root.info.locked)
        }
        Button {
            text: qsTr("Zoom to")
            onClicked: root.zoomRequested(root.session.selectionBox())
        }
    }
}
