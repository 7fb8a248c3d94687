<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CompareView</name>
    <message>
        <source>Buildings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Households</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grids outside bounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grids not contiguous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Barrier crossings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compounds split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean compactness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open scenario to compare…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Figure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buildings in a different grid: %1 (%2 households)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1 %2 (%3 households): %4 → %5</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiagnosticsList</name>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostics (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GridTable</name>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Households</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Area km²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compactness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too small</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too large</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not contiguous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>crosses barrier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 rows</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InspectPanel</name>
    <message>
        <source>Building</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Micro grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Households</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Households estimated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Floors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Units (entrances)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Footprint m²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Community</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Neighbouring micro grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Area km²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compactness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contiguous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Below minimum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Above maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Barrier crossings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compounds split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum households</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maximum households</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Floor area m²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom to</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Communities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rivers and water</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid colouring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service stations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule checks and selection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Legend</name>
    <message>
        <source>Households per micro grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workload per micro grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worker utilisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Walking coverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No colouring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>below %1 (too small)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>above %1 (too large)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>low</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>high</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one colour per large grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Legend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Residential building</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other building</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large grid boundary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Micro grid boundary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule violated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>River</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service centre / station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moved building</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>GridPlanner Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a scenario to compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open scenario, run or input files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GIS files (*.gpkg *.shp *.geojson *.json *.fgb *.osm *.pbf *.toml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a run directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GeoPackage (*.gpkg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;run directory…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare with…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Redo %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-plan unlocked grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom to whole town</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move building</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move compound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 buildings · %2 households · %3 large / %4 micro grids · %5 outside bounds · %6 not contiguous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 buildings · planning…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No data: open a scenario, a run directory or input files (or drop them here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last edit %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gp::studio::Session</name>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to open: no GIS file in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scenario files are not supported by this build yet: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded %1 buildings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planned %1 large and %2 micro grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No micro grid at that point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undone: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redone: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export is not available in this build yet: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
