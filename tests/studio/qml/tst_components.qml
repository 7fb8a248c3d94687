import QtQuick
import QtTest
import GridPlanner 1.0
import "../../../qml/ui"

Item {
    id: top
    width: 600
    height: 400

    MapViewport { id: vp; width: 600; height: 400; scale: 0.5 }
    LayerList { id: layers }
    ScaleBar { id: bar; viewport: vp }
    LayerPanel { id: panel; layers: layers }

    TestCase {
        name: "ScaleBar"
        when: windowShown
        function test_round_lengths() {
            vp.scale = 0.5            // 120 px ≈ 240 m → 200 m
            compare(bar.metres, 200)
            compare(bar.label, "200 m")
            compare(bar.barWidth, 100)
            vp.scale = 0.01           // 120 px ≈ 12 km → 10 km
            compare(bar.metres, 10000)
            compare(bar.label, "10 km")
            vp.scale = 3              // 120 px ≈ 40 m → 20 m
            compare(bar.metres, 20)
        }
    }

    TestCase {
        name: "MapViewport"
        function test_round_trip() {
            vp.centreX = 478764; vp.centreY = 4469533; vp.scale = 0.25
            const s = vp.toScreen(478864, 4469433)
            compare(s.x, 300 + 25)
            compare(s.y, 200 + 25)
            const w = vp.toWorld(s.x, s.y)
            fuzzyCompare(w.x, 478864, 1e-6)
            fuzzyCompare(w.y, 4469433, 1e-6)
        }
        function test_zoom_keeps_point() {
            vp.centreX = 0; vp.centreY = 0; vp.scale = 1
            const before = vp.toWorld(100, 50)
            vp.zoomAt(2, 100, 50)
            const after = vp.toWorld(100, 50)
            fuzzyCompare(after.x, before.x, 1e-9)
            fuzzyCompare(after.y, before.y, 1e-9)
            compare(vp.scale, 2)
        }
        function test_fit() {
            vp.fit(0, 0, 1000, 500, 0)
            compare(vp.centreX, 500)
            compare(vp.centreY, 250)
            compare(vp.scale, 0.6)   // min(600/1000, 400/500)
        }
    }

    TestCase {
        name: "LayerPanel"
        function findChild(item, name) {
            if (item.objectName === name) return item
            for (let i = 0; i < item.children.length; ++i) {
                const c = findChild(item.children[i], name)
                if (c) return c
            }
            return null
        }
        function test_panel_follows_layer_list() {
            let box = findChild(panel, "layer_buildings")
            verify(box !== null)
            verify(box.checked)
            layers.setVisible("buildings", false)
            verify(!layers.isVisible("buildings"))
            box = findChild(panel, "layer_buildings")
            verify(!box.checked)
            layers.setVisible("buildings", true)
            box = findChild(panel, "layer_buildings")
            verify(box.checked)
        }
    }
}
