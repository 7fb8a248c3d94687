// The Chinese user guide (docs/guide/zh-CN/README.md and its screenshots), compiled into the
// studio's resources under qrc:/guide/ so Help → User guide works offline and without the
// package's /usr/share/doc copy. Qt renders the Markdown (Text.MarkdownText).
import QtQuick
import QtQuick.Controls

Dialog {
    id: dialog
    objectName: "guideDialog"
    title: qsTr("User guide")
    modal: false
    standardButtons: Dialog.Close
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width * 0.9 : 900, 980)
    height: parent ? parent.height * 0.9 : 700
    property string markdown: ""

    onOpened: {
        if (markdown !== "") return
        const request = new XMLHttpRequest()
        request.open("GET", "qrc:/guide/README.md", false)  // a resource: no network, instant
        request.send()
        markdown = request.responseText
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        clip: true
        contentWidth: availableWidth
        Text {
            objectName: "guideText"
            width: scroll.availableWidth
            wrapMode: Text.Wrap
            textFormat: Text.MarkdownText
            baseUrl: "qrc:/guide/"
            text: dialog.markdown
            // Web links open in the browser; the table of contents' #anchors stay here.
            onLinkActivated: (link) => { if (!link.startsWith("#")) Qt.openUrlExternally(link) }
        }
    }
}
