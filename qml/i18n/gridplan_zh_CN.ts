<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CompareView</name>
    <message>
        <source>Buildings</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <source>Large grids</source>
        <translation>大网格</translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation>微网格</translation>
    </message>
    <message>
        <source>Grids outside bounds</source>
        <translation>超出户数范围的网格</translation>
    </message>
    <message>
        <source>Grids not contiguous</source>
        <translation>不连通的网格</translation>
    </message>
    <message>
        <source>Barrier crossings</source>
        <translation>跨越障碍</translation>
    </message>
    <message>
        <source>Compounds split</source>
        <translation>被拆分的小区</translation>
    </message>
    <message>
        <source>Mean compactness</source>
        <translation>平均紧凑度</translation>
    </message>
    <message>
        <source>Left: %1</source>
        <translation>左：%1</translation>
    </message>
    <message>
        <source>Right: %1</source>
        <translation>右：%1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Open scenario to compare…</source>
        <translation>打开对比方案…</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>Buildings in a different grid: %1 (%2 households)</source>
        <translation>网格归属不同的楼栋：%1 栋（%2 户）</translation>
    </message>
    <message>
        <source>#%1 %2 (%3 households): %4 → %5</source>
        <translation>#%1 %2（%3 户）：%4 → %5</translation>
    </message>
    <message>
        <source>Zoom to the differences</source>
        <translation>缩放至差异处</translation>
    </message>
</context>
<context>
    <name>DiagnosticsList</name>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>info</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Diagnostics (%1)</source>
        <translation>诊断（%1）</translation>
    </message>
</context>
<context>
    <name>GridTable</name>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Workload</source>
        <translation>工作量</translation>
    </message>
    <message>
        <source>Area km²</source>
        <translation>面积 km²</translation>
    </message>
    <message>
        <source>Compactness</source>
        <translation>紧凑度</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>too small</source>
        <translation>户数过少</translation>
    </message>
    <message>
        <source>too large</source>
        <translation>户数过多</translation>
    </message>
    <message>
        <source>not contiguous</source>
        <translation>不连通</translation>
    </message>
    <message>
        <source>crosses barrier</source>
        <translation>跨越障碍</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation>微网格</translation>
    </message>
    <message>
        <source>Large grids</source>
        <translation>大网格</translation>
    </message>
    <message>
        <source>All grids</source>
        <translation>全部网格</translation>
    </message>
    <message>
        <source>%1 rows</source>
        <translation>%1 行</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>用户指南</translation>
    </message>
</context>
<context>
    <name>InspectPanel</name>
    <message>
        <source>Building</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Micro grid</source>
        <translation>微网格</translation>
    </message>
    <message>
        <source>Large grid</source>
        <translation>大网格</translation>
    </message>
    <message>
        <source>Service station</source>
        <translation>党群服务站</translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation>未选择</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <source>Households estimated</source>
        <translation>户数为估算</translation>
    </message>
    <message>
        <source>Floors</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Units (entrances)</source>
        <translation>单元数</translation>
    </message>
    <message>
        <source>Footprint m²</source>
        <translation>占地面积 m²</translation>
    </message>
    <message>
        <source>Compound</source>
        <translation>小区</translation>
    </message>
    <message>
        <source>Community</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>Neighbouring micro grids</source>
        <translation>相邻微网格</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Workload</source>
        <translation>工作量</translation>
    </message>
    <message>
        <source>Area km²</source>
        <translation>面积 km²</translation>
    </message>
    <message>
        <source>Compactness</source>
        <translation>紧凑度</translation>
    </message>
    <message>
        <source>Contiguous</source>
        <translation>连通</translation>
    </message>
    <message>
        <source>Below minimum</source>
        <translation>低于下限</translation>
    </message>
    <message>
        <source>Above maximum</source>
        <translation>高于上限</translation>
    </message>
    <message>
        <source>Barrier crossings</source>
        <translation>跨越障碍</translation>
    </message>
    <message>
        <source>Compounds split</source>
        <translation>被拆分的小区</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Minimum households</source>
        <translation>户数下限</translation>
    </message>
    <message>
        <source>Maximum households</source>
        <translation>户数上限</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Floor area m²</source>
        <translation>建筑面积 m²</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Unlock grid</source>
        <translation>解锁网格</translation>
    </message>
    <message>
        <source>Lock grid</source>
        <translation>锁定网格</translation>
    </message>
    <message>
        <source>Zoom to</source>
        <translation>缩放至</translation>
    </message>
    <message>
        <source>Lasso selection</source>
        <translation>套索选择</translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation>微网格</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Communities</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>Rivers and water</source>
        <translation>河流水系</translation>
    </message>
    <message>
        <source>Grid colouring</source>
        <translation>网格着色</translation>
    </message>
    <message>
        <source>Compounds</source>
        <translation>小区</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Micro grids</source>
        <translation>微网格</translation>
    </message>
    <message>
        <source>Large grids</source>
        <translation>大网格</translation>
    </message>
    <message>
        <source>Service stations</source>
        <translation>党群服务中心/站</translation>
    </message>
    <message>
        <source>Rule checks and selection</source>
        <translation>规则检查与选中</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
</context>
<context>
    <name>Legend</name>
    <message>
        <source>Households per micro grid</source>
        <translation>微网格户数</translation>
    </message>
    <message>
        <source>Workload per micro grid</source>
        <translation>微网格工作量</translation>
    </message>
    <message>
        <source>Worker utilisation</source>
        <translation>网格员负荷率</translation>
    </message>
    <message>
        <source>Walking coverage</source>
        <translation>步行覆盖</translation>
    </message>
    <message>
        <source>Large grid</source>
        <translation>大网格</translation>
    </message>
    <message>
        <source>No colouring</source>
        <translation>不着色</translation>
    </message>
    <message>
        <source>below %1 (too small)</source>
        <translation>少于 %1 户（过小）</translation>
    </message>
    <message>
        <source>above %1 (too large)</source>
        <translation>多于 %1 户（过大）</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <source>one colour per large grid</source>
        <translation>每个大网格一种颜色</translation>
    </message>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Residential building</source>
        <translation>住宅楼栋</translation>
    </message>
    <message>
        <source>Other building</source>
        <translation>其他建筑</translation>
    </message>
    <message>
        <source>Large grid boundary</source>
        <translation>大网格边界</translation>
    </message>
    <message>
        <source>Micro grid boundary</source>
        <translation>微网格边界</translation>
    </message>
    <message>
        <source>Rule violated</source>
        <translation>违反规则</translation>
    </message>
    <message>
        <source>River</source>
        <translation>河流</translation>
    </message>
    <message>
        <source>Compound service station</source>
        <translation>小区党群服务站</translation>
    </message>
    <message>
        <source>Moved building</source>
        <translation>调整过的楼栋</translation>
    </message>
    <message>
        <source>low: %1</source>
        <translation>低：%1</translation>
    </message>
    <message>
        <source>high: %1</source>
        <translation>高：%1</translation>
    </message>
    <message>
        <source>Community / county centre</source>
        <translation>社区/县级党群服务中心</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>GridPlanner Studio</source>
        <translation>网格规划工作台</translation>
    </message>
    <message>
        <source>Open a scenario to compare</source>
        <translation>打开要对比的方案</translation>
    </message>
    <message>
        <source>Open scenario, run or input files</source>
        <translation>打开方案、运行结果或输入文件</translation>
    </message>
    <message>
        <source>GIS files (*.gpkg *.shp *.geojson *.json *.fgb *.osm *.pbf *.toml)</source>
        <translation>GIS 文件 (*.gpkg *.shp *.geojson *.json *.fgb *.osm *.pbf *.toml)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Open a run directory</source>
        <translation>打开运行结果目录</translation>
    </message>
    <message>
        <source>Export grids</source>
        <translation>导出网格</translation>
    </message>
    <message>
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open files…</source>
        <translation>打开文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;run directory…</source>
        <translation>打开运行目录(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Compare with…</source>
        <translation>与…对比(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>撤销(&amp;U) %1</translation>
    </message>
    <message>
        <source>&amp;Redo %1</source>
        <translation>重做(&amp;R) %1</translation>
    </message>
    <message>
        <source>Re-plan unlocked grids</source>
        <translation>重新规划未锁定网格</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;User guide (Chinese)</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>Zoom to whole town</source>
        <translation>缩放至全城</translation>
    </message>
    <message>
        <source>Grid labels</source>
        <translation>网格标注</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Colour by</source>
        <translation>着色依据</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Move building</source>
        <translation>移动楼栋</translation>
    </message>
    <message>
        <source>Move compound</source>
        <translation>移动小区</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Re-plan</source>
        <translation>重新规划</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>%1 buildings · %2 households · %3 large / %4 micro grids · %5 outside bounds · %6 not contiguous</source>
        <translation>%1 栋楼 · %2 户 · 大网格 %3 个 / 微网格 %4 个 · %5 个超出范围 · %6 个不连通</translation>
    </message>
    <message>
        <source>%1 buildings · planning…</source>
        <translation>%1 栋楼 · 规划中…</translation>
    </message>
    <message>
        <source>No data: open a scenario, a run directory or input files (or drop them here)</source>
        <translation>无数据：请打开方案、运行目录或输入文件（或拖放到此处）</translation>
    </message>
    <message>
        <source>last edit %1 ms</source>
        <translation>上次编辑 %1 毫秒</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <source>Grid table</source>
        <translation>网格表</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>方案对比</translation>
    </message>
    <message>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <source>XYZ tile URL template (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png)
or a GeoTIFF / MBTiles file. Empty: no basemap.</source>
        <translation>XYZ 瓦片地址模板（如 https://tile.openstreetmap.org/{z}/{x}/{y}.png）
或 GeoTIFF / MBTiles 文件。留空则不用底图。</translation>
    </message>
    <message>
        <source>URL template or file</source>
        <translation>地址模板或文件</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Remove basemap</source>
        <translation>移除底图</translation>
    </message>
    <message>
        <source>Choose a basemap raster</source>
        <translation>选择底图栅格文件</translation>
    </message>
    <message>
        <source>Rasters (*.tif *.tiff *.mbtiles *.gpkg *.vrt *.jp2 *.png *.jpg)</source>
        <translation>栅格文件 (*.tif *.tiff *.mbtiles *.gpkg *.vrt *.jp2 *.png *.jpg)</translation>
    </message>
    <message>
        <source>&amp;Basemap…</source>
        <translation>底图(&amp;B)…</translation>
    </message>
    <message>
        <source>Re-run the simulation</source>
        <translation>重新运行仿真</translation>
    </message>
    <message>
        <source>Lasso selection</source>
        <translation>套索选择</translation>
    </message>
    <message>
        <source>Lasso</source>
        <translation>套索</translation>
    </message>
    <message>
        <source>whole compounds</source>
        <translation>整个小区</translation>
    </message>
    <message>
        <source>Simulate (plan changed)</source>
        <translation>仿真（方案已修改）</translation>
    </message>
    <message>
        <source>Simulate</source>
        <translation>仿真</translation>
    </message>
    <message>
        <source>simulation (before the last edits): </source>
        <translation>仿真（最近修改之前）：</translation>
    </message>
    <message>
        <source>simulation: </source>
        <translation>仿真：</translation>
    </message>
    <message>
        <source>%1 workers · utilisation %2% · p90 response %3 h · %4% within %5 m</source>
        <translation>网格员 %1 人 · 负荷率 %2% · 90% 响应 %3 小时 · %4% 住户在 %5 米内</translation>
    </message>
</context>
<context>
    <name>PlanEditor</name>
    <message>
        <source>nothing selected</source>
        <translation>未选择任何楼栋</translation>
    </message>
    <message>
        <source>no micro grid there</source>
        <translation>该位置没有微网格</translation>
    </message>
    <message>
        <source>no such building</source>
        <translation>没有该楼栋</translation>
    </message>
    <message>
        <source>the building is in no grid</source>
        <translation>该楼栋不属于任何网格</translation>
    </message>
    <message>
        <source>already in that grid</source>
        <translation>已在该网格中</translation>
    </message>
    <message>
        <source>grid %1 is locked</source>
        <translation>网格 %1 已锁定</translation>
    </message>
    <message>
        <source>grids never cross a community boundary</source>
        <translation>网格不能跨越社区边界</translation>
    </message>
    <message>
        <source>grid %1 is not a neighbour of the selection</source>
        <translation>网格 %1 与所选楼栋不相邻</translation>
    </message>
    <message>
        <source>building split by units across micro grids cannot be moved by hand</source>
        <translation>按单元拆分到多个微网格的楼栋不能手动移动</translation>
    </message>
    <message>
        <source>move building</source>
        <translation>移动楼栋</translation>
    </message>
    <message>
        <source>move compound</source>
        <translation>移动小区</translation>
    </message>
    <message>
        <source>move %1 buildings</source>
        <translation>移动 %1 栋楼</translation>
    </message>
    <message>
        <source>%1 building(s), %2 households moved from %3 to %4</source>
        <translation>%1 栋楼、%2 户已从 %3 移至 %4</translation>
    </message>
    <message>
        <source>no such grid</source>
        <translation>没有该网格</translation>
    </message>
    <message>
        <source>lock grid</source>
        <translation>锁定网格</translation>
    </message>
    <message>
        <source>unlock grid</source>
        <translation>解锁网格</translation>
    </message>
</context>
<context>
    <name>gp::studio::BasemapLayer</name>
    <message>
        <source>Cannot open the basemap: %1</source>
        <translation>无法打开底图：%1</translation>
    </message>
    <message>
        <source>Tiles: %1</source>
        <translation>瓦片：%1</translation>
    </message>
</context>
<context>
    <name>gp::studio::Session</name>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Nothing to open: no GIS file in %1</source>
        <translation>没有可打开的内容：%1 中没有 GIS 文件</translation>
    </message>
    <message>
        <source>Loaded %1 buildings</source>
        <translation>已读取 %1 栋楼</translation>
    </message>
    <message>
        <source>Planned %1 large and %2 micro grids</source>
        <translation>已划分 %1 个大网格、%2 个微网格</translation>
    </message>
    <message>
        <source>No micro grid at that point</source>
        <translation>该位置没有微网格</translation>
    </message>
    <message>
        <source>Undone: %1</source>
        <translation>已撤销：%1</translation>
    </message>
    <message>
        <source>Redone: %1</source>
        <translation>已重做：%1</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Open one scenario at a time: %1</source>
        <translation>一次只能打开一个方案：%1</translation>
    </message>
    <message>
        <source>Cannot open the scenario %1: %2</source>
        <translation>无法打开方案 %1：%2</translation>
    </message>
    <message>
        <source>The scenario %1 names no input files ([input] files = [...])</source>
        <translation>方案 %1 未指定输入文件（[input] files = [...]）</translation>
    </message>
    <message>
        <source>The lasso caught no building</source>
        <translation>套索内没有楼栋</translation>
    </message>
    <message>
        <source>%1 buildings selected: click a neighbouring micro grid to move them there</source>
        <translation>已选中 %1 栋楼：点击相邻的微网格即可移入</translation>
    </message>
    <message>
        <source>Simulated: %1 workers, mean utilisation %2%</source>
        <translation>仿真完成：网格员 %1 人，平均负荷率 %2%</translation>
    </message>
    <message>
        <source>re-plan</source>
        <translation>重新规划</translation>
    </message>
    <message>
        <source>%1 %2 %</source>
        <translation>%1 %2%</translation>
    </message>
    <message>
        <source> · about %1 left</source>
        <translation> · 约剩 %1</translation>
    </message>
    <message>
        <source> · working (%1 since the last step)</source>
        <translation> · 计算中（距上一步 %1）</translation>
    </message>
    <message>
        <source>under a second</source>
        <translation>不到 1 秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>Reading the data</source>
        <translation>读取数据</translation>
    </message>
    <message>
        <source>Projecting</source>
        <translation>坐标投影</translation>
    </message>
    <message>
        <source>Estimating households</source>
        <translation>估算户数</translation>
    </message>
    <message>
        <source>Checking the data</source>
        <translation>检查数据</translation>
    </message>
    <message>
        <source>Building cells</source>
        <translation>划分楼栋地块</translation>
    </message>
    <message>
        <source>Planning grids</source>
        <translation>划分网格</translation>
    </message>
    <message>
        <source>Drawing grid boundaries</source>
        <translation>生成网格边界</translation>
    </message>
    <message>
        <source>Checking coverage</source>
        <translation>检查覆盖</translation>
    </message>
    <message>
        <source>Checking the plan</source>
        <translation>检查方案</translation>
    </message>
    <message>
        <source>Estimating workload</source>
        <translation>估算工作量</translation>
    </message>
    <message>
        <source>Walking coverage</source>
        <translation>步行覆盖</translation>
    </message>
    <message>
        <source>Simulating</source>
        <translation>事件模拟</translation>
    </message>
    <message>
        <source>Sensitivity analysis</source>
        <translation>敏感性分析</translation>
    </message>
    <message>
        <source>Staffing</source>
        <translation>人员配置</translation>
    </message>
    <message>
        <source>Station rules</source>
        <translation>站点规则</translation>
    </message>
    <message>
        <source>Siting stations</source>
        <translation>站点选址</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>导出</translation>
    </message>
    <message>
        <source> · about %1 left in all</source>
        <translation> · 全部约剩 %1</translation>
    </message>
    <message>
        <source>Cannot open the run %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
