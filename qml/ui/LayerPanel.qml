// Layer toggles.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import GridPlanner 1.0

ColumnLayout {
    id: root
    property LayerList layers
    spacing: 0

    function title(key) {
        switch (key) {
        case "basemap": return qsTr("Basemap")
        case "communities": return qsTr("Communities")
        case "rivers": return qsTr("Rivers and water")
        case "gridFill": return qsTr("Grid colouring")
        case "compounds": return qsTr("Compounds")
        case "buildings": return qsTr("Buildings")
        case "roads": return qsTr("Roads")
        case "microGrids": return qsTr("Micro grids")
        case "largeGrids": return qsTr("Large grids")
        case "stations": return qsTr("Service stations")
        case "checks": return qsTr("Rule checks and selection")
        }
        return key
    }

    Label { text: qsTr("Layers"); font.bold: true; Layout.bottomMargin: 4 }
    Repeater {
        model: root.layers ? root.layers.layers : []
        delegate: CheckBox {
            required property var modelData
            objectName: "layer_" + modelData.key
            text: root.title(modelData.key)
            checked: modelData.visible
            padding: 2
            onToggled: root.layers.setVisible(modelData.key, checked)
        }
    }
}
