// One map: the scene-graph canvas, grid labels, scale bar and the pan/zoom/select handlers.
// Several MapViews may share one MapViewport (the compare view does).
import QtQuick
import QtQuick.Controls
import QtQuick.Shapes
import GridPlanner 1.0

Item {
    id: root
    property Session session
    property MapViewport viewport
    property LayerList layers
    property BasemapLayer basemap
    // "inspect": click selects; "move" / "moveCompound": click moves the selection there;
    // "lasso": dragging draws a freehand polygon that selects the buildings inside it (with
    // lassoCompounds, their whole compounds), a click then moves them to the grid clicked.
    property string mode: "inspect"
    property bool lassoCompounds: true
    property var lassoPoints: []   // screen points of the lasso being drawn
    property bool showLabels: true
    readonly property alias canvas: canvas
    readonly property alias labelCount: labels.count
    signal edited()

    clip: true
    focus: true

    Binding { target: root.viewport; property: "width"; value: root.width; when: root.viewport !== null }
    Binding { target: root.viewport; property: "height"; value: root.height; when: root.viewport !== null }

    MapCanvas {
        id: canvas
        anchors.fill: parent
        session: root.session
        viewport: root.viewport
        layers: root.layers
        basemap: root.basemap
    }

    MapLabels {
        id: labels
        session: root.session
        viewport: root.viewport
    }

    Repeater {
        model: root.showLabels && root.layers && root.layers.layers ? labels : null
        delegate: Text {
            x: model.sx - width / 2
            y: model.sy - height / 2
            text: model.text
            font.pixelSize: model.level === "large" ? 13 : 11
            font.bold: model.level === "large"
            color: model.level === "large" ? "#1a1a1a" : "#333333"
            style: Text.Outline
            styleColor: "#ffffff"
        }
    }

    Shape {
        id: lassoShape
        objectName: "lassoShape"
        anchors.fill: parent
        visible: root.lassoPoints.length > 1
        ShapePath {
            strokeColor: "#08309c"
            strokeWidth: 2
            strokeStyle: ShapePath.DashLine
            fillColor: "#2008309c"
            PathPolyline { path: root.lassoPoints }
        }
    }

    // The basemap's attribution (its terms ask for it), bottom right.
    Text {
        objectName: "attribution"
        visible: root.basemap !== null && root.basemap.active && text !== ""
        text: root.basemap ? root.basemap.attribution : ""
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 4
        font.pixelSize: 11
        color: "#333333"
        style: Text.Outline
        styleColor: "#ffffff"
    }

    ScaleBar {
        viewport: root.viewport
        anchors.left: parent.left
        anchors.bottom: parent.bottom
        anchors.margins: 12
    }

    MouseArea {
        id: mouse
        anchors.fill: parent
        acceptedButtons: Qt.LeftButton
        property point last
        property bool dragged: false
        cursorShape: root.mode === "inspect" ? (pressed ? Qt.ClosedHandCursor : Qt.ArrowCursor)
                                             : Qt.CrossCursor
        onPressed: (m) => {
            last = Qt.point(m.x, m.y); dragged = false; root.forceActiveFocus()
            if (root.mode === "lasso") root.lassoPoints = [Qt.point(m.x, m.y)]
        }
        onPositionChanged: (m) => {
            const dx = m.x - last.x, dy = m.y - last.y
            if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return
            dragged = true
            if (root.mode === "lasso") {
                const pts = root.lassoPoints
                pts.push(Qt.point(m.x, m.y))
                root.lassoPoints = pts
            } else {
                root.viewport.panBy(dx, dy)
            }
            last = Qt.point(m.x, m.y)
        }
        onReleased: (m) => {
            if (!root.session) return
            if (root.mode === "lasso" && dragged) {
                root.finishLasso()
                return
            }
            if (dragged) return
            const w = root.viewport.toWorld(m.x, m.y)
            if (root.mode === "inspect") {
                root.session.selectAt(w.x, w.y)
            } else if (root.mode === "lasso") {
                root.lassoPoints = []
                if (root.session.lassoCount > 0 ? root.session.moveLassoTo(w.x, w.y) : false) root.edited()
                else if (root.session.lassoCount === 0) root.session.selectAt(w.x, w.y)
            } else if (root.session.moveSelectionTo(w.x, w.y, root.mode === "moveCompound")) {
                root.edited()
            }
        }
        onWheel: (w) => {
            root.viewport.zoomAt(Math.pow(1.0015, w.angleDelta.y), w.x, w.y)
        }
    }

    PinchHandler {
        id: pinch
        target: null
        property real lastScale: 1
        onActiveChanged: lastScale = 1
        onActiveScaleChanged: {
            root.viewport.zoomAt(activeScale / lastScale, centroid.position.x, centroid.position.y)
            lastScale = activeScale
        }
    }

    Keys.onPressed: (e) => {
        const step = 80
        if (e.key === Qt.Key_Left) root.viewport.panBy(step, 0)
        else if (e.key === Qt.Key_Right) root.viewport.panBy(-step, 0)
        else if (e.key === Qt.Key_Up) root.viewport.panBy(0, step)
        else if (e.key === Qt.Key_Down) root.viewport.panBy(0, -step)
        else if (e.key === Qt.Key_Plus || e.key === Qt.Key_Equal) root.viewport.zoomAt(1.25, width / 2, height / 2)
        else if (e.key === Qt.Key_Minus) root.viewport.zoomAt(0.8, width / 2, height / 2)
        else return
        e.accepted = true
    }

    // Turns the drawn lasso into a selection (world coordinates) and clears the drawing.
    function finishLasso() {
        const world = []
        for (let i = 0; i < lassoPoints.length; ++i)
            world.push(viewport.toWorld(lassoPoints[i].x, lassoPoints[i].y))
        lassoPoints = []
        return world.length >= 3 ? session.lassoSelect(world, lassoCompounds) : 0
    }
    function fitAll() {
        if (session && session.hasData) viewport.fitRect(session.extent, 0.03)
    }
    function zoomTo(rect) {
        if (rect.width > 0 || rect.height > 0) {
            const r = Qt.rect(rect.x - 60, rect.y - 60, rect.width + 120, rect.height + 120)
            viewport.fitRect(r, 0.1)
        }
    }
}
