# Expected seconds of the slow tests, so that `ctest -j2` on a clean clone (no
# Testing/Temporary/CTestCostData.txt yet, as in CI) starts them first: a minute-long test
# started last would run alone on one core while the other idles. ctest sorts by the COST
# property, largest first; after the first run of a build tree its own measurements take over.
# Only the order matters, so rough figures do. Included by the CTestTestfile.cmake of tests/ and
# tests/studio after their discovered tests (TEST_INCLUDE_FILES); a name that matches no test
# (renamed, or not built in this preset) is ignored by ctest.
#
# Columns: seconds in the dev, asan and tsan presets (0 = not run there), from the CI run of
# 2026-12-06 (commit b1d6076, 2 cores; build/<preset>/Testing/Temporary/LastTest.log), every test
# of 3 s or more in some preset. The realdata module, the fuzz targets and the QGIS test get
# their cost in the CMakeLists.txt that adds them. Update a line when a test becomes much slower
# or faster; add one for a new test of more than a few seconds.
# gridplan_cost_column (0 dev, 1 asan, 2 tsan) is set by the file that includes this one.

function(gridplan_test_cost name)
  list(GET ARGN ${gridplan_cost_column} seconds)
  if(seconds GREATER 0)
    set_tests_properties("${name}" PROPERTIES COST ${seconds})
  endif()
endfunction()

gridplan_test_cost("cli:doors: run and plan and the run scenario.toml give the same plan and the same fields" 2 5 0)
gridplan_test_cost("cli:existing plans import from a building table or grid polygons, and re-plan" 1 5 0)
gridplan_test_cost("cli:gridplan calibrate: records by coordinates, bad rows listed, multipliers used by run" 1 3 0)
gridplan_test_cost("cli:gridplan check agrees with metrics.json of the demo town's run, and finds it clean" 1 15 0)
gridplan_test_cost("cli:gridplan run refuses an existing directory, keeps inputs, leaves nothing on failure" 1 4 0)
gridplan_test_cost("geo:tessellation: invariants on generated towns" 0 4 1)
gridplan_test_cost("geo:validate progress: without communities the built-up area reports in small steps" 1 3 2)
gridplan_test_cost("hardening:a full disk is a clear output error and leaves nothing that looks complete" 1 15 0)
gridplan_test_cost("hardening:a memory limit too small for the input ends with a clear message, not a crash" 41 0 0)
gridplan_test_cost("hardening:a process killed while writing leaves only temporary names" 1 19 0)
gridplan_test_cost("hardening:an unwritable output location is a clear output error, inputs untouched" 0 9 0)
gridplan_test_cost("hardening:bad input: a gigantic building polygon (100 km)" 0 4 0)
gridplan_test_cost("io:Nanjing's buildings as points with 户数: gridplan run plans every one" 2 18 0)
gridplan_test_cost("io:export: progress every few thousand features, over every format, within its range" 1 4 0)
gridplan_test_cost("io:real OSM extracts load every building and road GDAL reports" 5 18 0)
gridplan_test_cost("io:real extracts: boundaries holding few buildings are not used, the built-up area is" 4 14 0)
gridplan_test_cost("partition:a split tower is exported one row per run and re-planned from them unchanged" 1 15 5)
gridplan_test_cost("partition:bounds hold wherever a division exists, otherwise infeasibility is proven" 0 26 6)
gridplan_test_cost("partition:demo town: a plan a planner can adopt" 1 12 4)
gridplan_test_cost("partition:polygon truth on the demo town, and a re-plan from its own plan moves nobody" 1 22 6)
gridplan_test_cost("partition:polygon truth on the real OSM extracts" 5 67 27)
gridplan_test_cost("partition:re-planning the demo town from its exported plan.gpkg moves nobody" 1 20 7)
gridplan_test_cost("pipeline:run: long stages report in small steps and the run's time left is estimated" 1 37 0)
gridplan_test_cost("realdata:realdata: check_plan.py passes on monaco" 16 0 0)
gridplan_test_cost("realdata:realdata: each extract plans with households" 24 0 0)
gridplan_test_cost("realdata:realdata: every polygon invariant holds by geometry on monaco" 5 0 0)
gridplan_test_cost("realdata:realdata: gridplan check agrees with metrics.json on every extract, polygon figures" 30 0 0)
gridplan_test_cost("realdata:realdata: grids across a hard barrier stay at or below the measured figures" 6 0 0)
gridplan_test_cost("realdata:realdata: re-planning each extract from its own plan.gpkg moves no household" 24 0 0)
gridplan_test_cost("sim:sensitivity progress: updates within every simulation, results unchanged" 0 7 2)
gridplan_test_cost("sim:siting: candidate coverage reports progress every block of candidates, with an ETA" 1 42 15)
gridplan_test_cost("studio:DiagnosticsModel: problems of input and plan, resolved to features" 1 9 0)
gridplan_test_cost("studio:Edits: move a building to a neighbouring grid, re-check, undo restores exactly" 1 10 0)
gridplan_test_cost("studio:GridTableModel and proxy: roles, sorting, level filter, selection sync" 1 8 0)
gridplan_test_cost("studio:Lasso: buildings from two micro grids move together, undo restores both" 1 9 0)
gridplan_test_cost("studio:Lasso: buildings inside a freehand polygon move to a neighbouring grid in one edit" 1 7 0)
gridplan_test_cost("studio:Run directory: a run of gridplan run opens as it was exported, not re-planned" 2 34 0)
gridplan_test_cost("studio:Scenario: a .toml dropped on the window opens with its parameters and existing plan" 0 8 0)
gridplan_test_cost("studio:Scenario: a re-plan scenario plans from its existing grids" 1 8 0)
gridplan_test_cost("studio:Scenario: gridplan-studio opens a .toml from the command line" 2 14 0)
gridplan_test_cost("studio:Session: colouring by each key recolours without re-triangulating" 1 9 0)
gridplan_test_cost("studio:Session: selection by map click and feature boxes" 1 9 0)
gridplan_test_cost("studio:Session: the demo town loads and plans in the background" 1 8 0)
gridplan_test_cost("studio:Simulation: re-run on demand in the background, colours by its results" 1 21 0)
gridplan_test_cost("studio:render: a GeoTIFF basemap draws under the grids" 2 10 0)
gridplan_test_cost("studio:render: a lasso drawn with the mouse selects the buildings inside it" 1 9 0)
gridplan_test_cost("studio:render: the demo plan offscreen shows grid fills and labels" 2 10 0)
gridplan_test_cost("synth:synth: the map renders to a PNG that GDAL reads" 0 3 0)
