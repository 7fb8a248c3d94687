// The grid table: sortable by any column, filtered by level, synced with the map selection.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: root
    property var session
    signal zoomRequested(rect box)
    readonly property var table: session ? session.gridTable : null
    spacing: 2

    readonly property var columns: [
        { key: "code", title: qsTr("Code"), width: 150 },
        { key: "name", title: qsTr("Name"), width: 190 },
        { key: "households", title: qsTr("Households"), width: 80 },
        { key: "buildings", title: qsTr("Buildings"), width: 70 },
        { key: "workload", title: qsTr("Workload"), width: 80 },
        { key: "areaKm2", title: qsTr("Area km²"), width: 70 },
        { key: "compactness", title: qsTr("Compactness"), width: 80 },
        { key: "violation", title: qsTr("Check"), width: 90 },
        { key: "locked", title: qsTr("Locked"), width: 50 }
    ]
    function cell(row, key) {
        const v = row[key]
        if (key === "violation") {
            switch (v) {
            case "below": return qsTr("too small")
            case "above": return qsTr("too large")
            case "split": return qsTr("not contiguous")
            case "barrier": return qsTr("crosses barrier")
            }
            return qsTr("ok")
        }
        if (key === "locked") return v ? "🔒" : ""
        if (key === "workload") return Math.round(v)
        if (key === "areaKm2") return v.toFixed(3)
        if (key === "compactness") return v.toFixed(2)
        return v === undefined ? "" : String(v)
    }

    RowLayout {
        Label { text: qsTr("Grids"); font.bold: true }
        ComboBox {
            id: level
            objectName: "levelFilter"
            model: [ { value: "micro", text: qsTr("Micro grids") }, { value: "large", text: qsTr("Large grids") },
                     { value: "all", text: qsTr("All grids") } ]
            textRole: "text"
            valueRole: "value"
            onActivated: if (root.table) root.table.levelFilter = currentValue
        }
        Label { text: root.table ? qsTr("%1 rows").arg(list.count) : "" }
    }
    Row {
        Repeater {
            model: root.columns
            delegate: Button {
                required property var modelData
                width: modelData.width
                flat: true
                font.bold: true
                text: modelData.title + (root.table && root.table.sortKey === modelData.key
                                         ? (root.table.ascending ? " ▲" : " ▼") : "")
                onClicked: root.table.sortByKey(modelData.key)
            }
        }
    }
    ListView {
        id: list
        objectName: "gridList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: root.table
        ScrollBar.vertical: ScrollBar {}
        highlightMoveDuration: 0
        currentIndex: root.session && root.table
                      ? root.table.proxyRowOf(root.session.selectedKind === "large" || root.table.levelFilter === "large"
                                              ? "large" : "micro",
                                              root.session.selectedKind === "large" || root.table.levelFilter === "large"
                                              ? root.session.selectedLarge : root.session.selectedMicro)
                      : -1
        highlight: Rectangle { color: "#cde8ff" }
        delegate: Item {
            id: rowItem
            required property int index
            required property var model
            width: list.width
            height: 22
            Row {
                Repeater {
                    model: root.columns
                    delegate: Label {
                        required property var modelData
                        width: modelData.width
                        leftPadding: 6
                        elide: Text.ElideRight
                        text: root.cell(rowItem.model, modelData.key)
                        color: modelData.key === "violation" && rowItem.model.violation !== "" ? "#c00" : "#000"
                    }
                }
            }
            MouseArea {
                anchors.fill: parent
                onClicked: {
                    root.session.select(rowItem.model.level, rowItem.model.gridIndex)
                    root.zoomRequested(root.session.featureBox(rowItem.model.level, rowItem.model.gridIndex))
                }
            }
        }
    }
}
