// The messages that explain why household bounds cannot be met: a container (community, compound
// or area cut off by hard barriers) below the minimum, with no feasible number of grids, or too
// coarse to divide; and micro grids a large grid cannot be divided into.

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "planner/partition/partition_internal.hpp"

namespace gp::partition::detail {

namespace {

const char* policy_name(InfeasiblePolicy policy) {
  return policy == InfeasiblePolicy::allow_undersized ? "allow-undersized" : "join-across-soft";
}

}  // namespace

void CommunityPlanner::report_infeasible_large(const GraphPartition& large, std::int32_t first) {
  const HouseholdBounds& bounds = params_.large;
  if (large.infeasible.empty()) return;
  const auto components = partition::connected_components(large_graph_);
  // Atoms per component and per part, in atom order, gathered once: scanning every atom of the
  // community for each container (and for each grid a message lists) grew with containers ×
  // atoms — one community holding a real town has hundreds of areas cut off by barriers.
  std::vector<std::vector<NodeId>> component_atoms(at(components.count));
  for (NodeId a = 0; a < large_graph_.node_count(); ++a)
    component_atoms[at(components.of_node[at(a)])].push_back(a);
  std::vector<std::vector<NodeId>> part_atoms(at(large.part_count));
  for (NodeId a = 0; a < large_graph_.node_count(); ++a)
    part_atoms[at(large.part[at(a)])].push_back(a);
  for (const InfeasibleContainer& container : large.infeasible) {
    std::vector<std::int32_t> members;  // local building indices
    static const std::vector<NodeId> kNoAtoms;
    const std::vector<NodeId>& atoms = at(container.component) < component_atoms.size()
                                           ? component_atoms[at(container.component)]
                                           : kNoAtoms;
    for (NodeId a : atoms) {
      members.insert(members.end(), atom_members_[at(a)].begin(), atom_members_[at(a)].end());
      // A tower's later unit atom has no members: its building is the tower. Units of a tower
      // across a hard road can be a component of their own (docs/decisions/0008, "A split
      // tower across a hard road").
      if (atom_members_[at(a)].empty() && atom_building_[at(a)] != kNone)
        members.push_back(atom_building_[at(a)]);
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    const bool whole = static_cast<std::int32_t>(members.size()) == n_;
    std::string what;
    if (whole) {
      what = "the whole community";
    } else {
      std::set<std::int32_t> compounds;
      for (std::int32_t i : members) compounds.insert(building(i).compound);
      if (compounds.size() == 1 && *compounds.begin() != kNone) {
        const Compound& c = dataset_.compounds[at(*compounds.begin())];
        what = "compound '" + c.name + "' (" + c.ref + "), cut off by hard barriers,";
      } else {
        what = "an area of " + std::to_string(members.size()) +
               " buildings cut off by hard "
               "barriers (rivers, rail, major roads), e.g. " +
               building_label(dataset_, in_.buildings[at(members.front())]) + ",";
      }
    }
    std::ostringstream message;
    message << community_label(dataset_, in_.community) << ": " << what << " holds "
            << container.households << " households";
    std::string kind;
    switch (container.why) {
      case partition::Infeasibility::below_minimum:
        kind = "container-below-minimum";
        message << ", fewer than the large-grid minimum of " << bounds.min
                << "; it is kept as one undersized large grid (policy "
                << policy_name(params_.policy) << ")";
        break;
      case partition::Infeasibility::no_feasible_count:
        kind = "container-no-feasible-division";
        message << ": no number of large grids puts each within " << bounds_text(bounds)
                << " households (" << container.min_parts << " grids would be needed for the "
                << "maximum, at most " << container.max_parts << " allow the minimum); it is "
                << "divided into " << container.parts << " grids below the minimum, none above "
                << "the maximum (policy " << policy_name(params_.policy) << ")";
        break;
      case partition::Infeasibility::granularity:
        kind = "container-granularity";
        message << ": its compounds (kept whole) and buildings are too coarse, or joined too "
                << "narrowly, to divide within " << bounds_text(bounds) << " households; "
                << container.violating_parts.size() << " of " << container.parts
                << " large grids stay outside the bounds ("
                << violating_parts_text(container, part_atoms) << "); "
                << (container.atom_above_max
                        ? "a single building (or one entrance of it) holds more than the "
                          "maximum, so no division can keep every grid within the bounds"
                    : container.proven
                        ? "an exhaustive search over every division into connected grids "
                          "found none within the bounds"
                        : "no division within the bounds was found (the area is too large "
                          "for an exhaustive search, so one may exist)");
        break;
    }
    // Each grid the container left outside the bounds carries this reason into plan.gpkg
    // (field bounds_why) and the audit: the grid, not just its community, says why.
    for (PartId p : container.violating_parts) {
      Grid& grid = result_.large[at(first + p)];
      if (grid.bounds_reason.empty()) grid.bounds_reason = kind + ": " + message.str();
    }
    result_.problems.report(Severity::warning, kind, community_location(dataset_, in_.community),
                            message.str());
  }
}

/// "a grid of 270 households (with compound '甲' 124, compound '乙' 112), …" for the parts
/// the partition left outside the bounds: what made them coarse.
std::string CommunityPlanner::violating_parts_text(
    const InfeasibleContainer& container,
    const std::vector<std::vector<NodeId>>& part_atoms) const {
  std::ostringstream text;
  bool first_part = true;
  // Three grids say what made the container coarse; a gigantic one would list hundreds.
  constexpr std::size_t kListed = 3;
  std::size_t listed = 0;
  for (PartId p : container.violating_parts) {
    if (listed++ == kListed) {
      text << "; and " << container.violating_parts.size() - kListed << " more";
      break;
    }
    long long households = 0;
    std::vector<std::pair<long long, std::string>> whole;  // compounds kept whole
    for (NodeId a : part_atoms[at(p)]) {
      households += large_graph_.households[at(a)];
      const auto& members = atom_members_[at(a)];
      if (!members.empty() && building(members[0]).compound != kNone &&
          (members.size() > 1 || !oversized_compounds_.count(building(members[0]).compound)))
        whole.emplace_back(-atom_households_[at(a)],
                           dataset_.compounds[at(building(members[0]).compound)].name);
    }
    if (!first_part) text << "; ";
    first_part = false;
    text << "a grid of " << households << " households";
    std::sort(whole.begin(), whole.end());
    if (!whole.empty()) text << " with compound";
    for (std::size_t k = 0; k < whole.size() && k < 3; ++k)
      text << (k ? ", '" : " '") << whole[k].second << "' " << -whole[k].first;
  }
  return text.str();
}

/// Micro grids the large grid `parent` could not be divided into within the bounds;
/// `example_local` names a building in it.
void CommunityPlanner::report_infeasible_micro(const Grid& parent, const GraphPartition& micro,
                                               std::int32_t first, std::int32_t example_local) {
  for (const InfeasibleContainer& container : micro.infeasible) {
    // An undersized large grid is already reported; its single micro grid is no news, but it
    // carries the large grid's reason.
    if (parent.metrics.below_min && container.parts == 1) {
      for (PartId p : container.violating_parts) {
        Grid& grid = result_.micro[at(first + p)];
        if (grid.bounds_reason.empty())
          grid.bounds_reason =
              "its large grid holds " + std::to_string(parent.metrics.households) +
              " households, below the large-grid minimum of " + std::to_string(params_.large.min) +
              (parent.bounds_reason.empty() ? std::string() : " (" + parent.bounds_reason + ")");
      }
      continue;
    }
    std::ostringstream message;
    message << community_label(dataset_, in_.community) << ": a part of a large grid holding "
            << container.households << " households (e.g. "
            << building_label(dataset_, in_.buildings[at(example_local)])
            << ") cannot be divided into micro grids of " << bounds_text(params_.micro)
            << " households (" << partition::to_string(container.why)
            << (container.why == partition::Infeasibility::granularity
                    ? (container.proven ? ", proven by exhaustive search" : ", not proven")
                    : "")
            << "); " << container.violating_parts.size() << " of " << container.parts
            << " micro grids stay outside the bounds";
    for (PartId p : container.violating_parts) {
      Grid& grid = result_.micro[at(first + p)];
      if (grid.bounds_reason.empty())
        grid.bounds_reason = "micro-grid-out-of-bounds: " + message.str();
    }
    result_.problems.report(Severity::info, "micro-grid-out-of-bounds",
                            community_location(dataset_, in_.community), message.str());
  }
}

}  // namespace gp::partition::detail
