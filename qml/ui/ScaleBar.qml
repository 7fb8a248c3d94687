// A scale bar with a round length (1, 2 or 5 × 10ⁿ metres) close to 120 pixels.
import QtQuick

Item {
    id: root
    property var viewport
    readonly property real metres: {
        if (!viewport || viewport.scale <= 0) return 0
        const target = 120 / viewport.scale
        const p = Math.pow(10, Math.floor(Math.log(target) / Math.LN10))
        const f = target / p
        return (f >= 5 ? 5 : f >= 2 ? 2 : 1) * p
    }
    readonly property real barWidth: viewport ? metres * viewport.scale : 0
    readonly property string label: metres >= 1000 ? (metres / 1000) + " km" : Math.round(metres) + " m"
    width: barWidth + 8
    height: 28

    Rectangle { anchors.fill: parent; color: "#ccffffff"; radius: 3 }
    Rectangle { x: 4; y: 20; width: root.barWidth; height: 3; color: "#222" }
    Rectangle { x: 4; y: 14; width: 2; height: 9; color: "#222" }
    Rectangle { x: 4 + root.barWidth - 2; y: 14; width: 2; height: 9; color: "#222" }
    Text {
        objectName: "scaleLabel"
        x: 4; y: 1
        text: root.label
        font.pixelSize: 11
    }
}
