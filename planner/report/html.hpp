#pragma once
// report.html: one self-contained page (inline CSS and SVG, no scripts, no external URLs) that a
// reader who never opens a GIS can decide from — key figures, maps of the grids coloured by
// households and by worker load, station coverage, distributions, tables per community, grid
// and station, and every diagnostic. Chinese labels with English in small print.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/evaluation/evaluation.hpp"
#include "planner/partition/params.hpp"
#include "planner/partition/plan.hpp"
#include "planner/report/kpi.hpp"

namespace gp::report {

struct ReportInfo {
  std::string title;        // scenario name
  std::string description;  // one paragraph, may be empty
  std::string version;      // gridplan version
  std::string generated;    // when, ISO 8601
  std::string crs;          // CRS of the computation (name, EPSG)
  std::vector<std::string> inputs;
  std::vector<std::pair<std::string, std::string>> parameters;  // name → value, as printed
  std::vector<std::pair<std::string, std::string>> sources;     // preset → where it comes from
  HouseholdBounds large;
  HouseholdBounds micro;
  double max_utilisation = 0.85;   // staffing target, for the load map and charts
  double p90_response_hours = 24;  // staffing target
};

std::string render_report_html(const ReportInfo& info, const Dataset& dataset, const Plan& plan,
                               const evaluation::Evaluation& evaluation, const PlanKpis& kpis,
                               const ProblemReporter& problems,
                               const std::function<void(double)>& tick = {});

/// The CSS shared by report.html and compare.html.
const char* report_css();

}  // namespace gp::report
