// Legend of the grid colouring and of the map symbols.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: root
    property var session
    spacing: 3

    function colourTitle(key) {
        switch (key) {
        case "households": return qsTr("Households per micro grid")
        case "workload": return qsTr("Workload per micro grid")
        case "utilisation": return qsTr("Worker utilisation")
        case "coverage": return qsTr("Walking coverage")
        case "large": return qsTr("Large grid")
        case "none": return qsTr("No colouring")
        }
        return key
    }
    function entryText(e) {
        switch (e.key) {
        case "below": return qsTr("below %1 (too small)").arg(e.a)
        case "above": return qsTr("above %1 (too large)").arg(e.a)
        case "range": return qsTr("%1 – %2").arg(e.a).arg(e.b)
        case "low": return e.a !== undefined && e.a !== null && e.a !== "" ? qsTr("low: %1").arg(e.a) : qsTr("low")
        case "high": return e.a !== undefined && e.a !== null && e.a !== "" ? qsTr("high: %1").arg(e.a) : qsTr("high")
        case "categorical": return qsTr("one colour per large grid")
        }
        return e.key
    }

    Label { text: qsTr("Legend"); font.bold: true }
    Label { text: root.session ? root.colourTitle(root.session.colourBy) : ""; font.italic: true }
    Repeater {
        model: root.session ? root.session.legend : []
        delegate: RowLayout {
            required property var modelData
            Rectangle { width: 18; height: 12; color: modelData.colour; border.color: "#666" }
            Label { text: root.entryText(modelData) }
        }
    }
    Item { height: 4 }
    RowLayout { Rectangle { width: 18; height: 12; color: "#5f5f5f" } Label { text: qsTr("Residential building") } }
    RowLayout { Rectangle { width: 18; height: 12; color: "#9a8f85" } Label { text: qsTr("Other building") } }
    RowLayout { Rectangle { width: 18; height: 4; color: "#1a1a1a" } Label { text: qsTr("Large grid boundary") } }
    RowLayout { Rectangle { width: 18; height: 1; color: "#404040" } Label { text: qsTr("Micro grid boundary") } }
    RowLayout { Rectangle { width: 18; height: 3; color: "#e31a1c" } Label { text: qsTr("Rule violated") } }
    RowLayout { Rectangle { width: 18; height: 6; color: "#7fb8e0" } Label { text: qsTr("River") } }
    // Station tier colours: planner/report/style.cpp station_symbol (report, QGIS styles, scene.cpp).
    RowLayout { Rectangle { width: 12; height: 12; rotation: 45; color: "#4b0082" } Label { text: qsTr("Community / county centre") } }
    RowLayout { Rectangle { width: 12; height: 12; rotation: 45; color: "#8b1a1a" } Label { text: qsTr("Compound service station") } }
    RowLayout { Rectangle { width: 18; height: 12; color: "#ff7f00" } Label { text: qsTr("Moved building") } }
}
