// Host for the offscreen render test: one MapView over the test's session.
import QtQuick
import GridPlanner 1.0
import "../../qml/ui"

Item {
    id: host
    property alias showLabels: map.showLabels
    property alias labelCount: map.labelCount
    property alias basemap: map.basemap
    property alias mode: map.mode
    property alias viewport: vp
    function fitAll() { map.fitAll(); map.canvas.settle() }
    function settle() { map.canvas.settle() }
    MapViewport { id: vp }
    LayerList { id: layers }
    MapView {
        id: map
        anchors.fill: parent
        session: testSession
        viewport: vp
        layers: layers
    }
}
