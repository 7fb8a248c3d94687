// Problems found in the input and while planning; a click zooms the map to the feature.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: root
    property var session
    signal zoomRequested(rect box)
    spacing: 2

    function severityText(s) {
        return s === "error" ? qsTr("error") : s === "warning" ? qsTr("warning") : qsTr("info")
    }

    Label { text: qsTr("Diagnostics (%1)").arg(list.count); font.bold: true }
    ListView {
        id: list
        objectName: "diagnosticsList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: root.session ? root.session.diagnostics : null
        ScrollBar.vertical: ScrollBar {}
        delegate: ItemDelegate {
            id: d
            required property string severity
            required property string kind
            required property string message
            required property string where
            required property string featureKind
            required property int featureIndex
            width: list.width
            contentItem: ColumnLayout {
                spacing: 0
                Label {
                    text: root.severityText(d.severity) + " · " + d.kind + (d.where ? " · " + d.where : "")
                    color: d.severity === "error" ? "#b00" : d.severity === "warning" ? "#a60" : "#456"
                    font.pixelSize: 11
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Label {
                    text: d.message
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
            }
            onClicked: {
                if (d.featureIndex < 0) return
                if (d.featureKind === "building" || d.featureKind === "station")
                    root.session.select(d.featureKind, d.featureIndex)
                root.zoomRequested(root.session.featureBox(d.featureKind, d.featureIndex))
            }
        }
    }
}
