#include "planner/cli/plan_verdict.hpp"

#include "planner/cli/command.hpp"
#include "planner/geo/plan_audit.hpp"

namespace gp::cli {

namespace {

/// A path as a shell word: quoted when it holds anything but plain characters.
std::string shell_word(const std::string& path) {
  if (path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "._-/+:=,@") == std::string::npos)
    return path;
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

void print_audit_verdict(const pipeline::AuditVerdict& v, const std::string& plan_path,
                         const std::string& layer, const std::vector<std::string>& inputs,
                         std::ostream& out) {
  std::string check = "gridplan check " + shell_word(plan_path);
  if (!layer.empty()) check += " --layer " + shell_word(layer);
  for (const std::string& in : inputs) check += " --input " + shell_word(in);
  const std::string allowed =
      v.allowed > 0 ? "; " + std::to_string(v.allowed) + " allowed exception(s)" : "";
  if (v.broken == 0) {
    out << "检查 audit: 方案符合全部规则 the plan holds every rule" << allowed << '\n';
    return;
  }
  std::string zh, en;
  for (const auto& [rule, n] : v.broken_by_rule) {
    zh += std::string(zh.empty() ? "" : "、") + geo::rule_title_zh(rule) + " " + std::to_string(n);
    en += std::string(en.empty() ? "" : ", ") + geo::rule_title_en(rule) + " " + std::to_string(n);
  }
  if (!v.own_plan) {
    // The existing plan, evaluated as it is: its broken rules are this job's answer.
    out << "检查 audit: 现有方案违反规则（" << zh << "），涉及 " << v.grids
        << " 个网格；这是对现有方案的评估结果。\n"
        << "  the existing plan breaks rules (" << en << ") in " << v.grids
        << " grid(s): that is this evaluation's finding" << allowed << ".\n"
        << "  带坐标的清单 list with coordinates: " << check << '\n';
    return;
  }
  out << "✗ 方案未通过自身检查：" << v.grids << " 个网格违反规则（" << zh
      << "）。此方案不得原样交付。\n"
      << "  输出文件已写入，可打开查看违规网格。带坐标的清单：" << check << '\n';
  if (v.locked_only)
    out << "  违规的网格都是从现有方案锁定保留的网格（locked = "
           "1）：请在现有方案中修改或解锁后重新规划。\n";
  else
    out << "  请报告输入文件与这条命令行：这是规划器的缺陷。\n";
  out << "✗ The plan breaks rules of its own audit in " << v.grids << " grid(s) (" << en << ")"
      << allowed << ". It must not be handed on as it is.\n"
      << "  The outputs are written so you can open them and see the broken grids; the list with "
         "coordinates: "
      << check << '\n';
  if (v.locked_only)
    out << "  Every broken grid is a grid locked from the existing plan (locked = 1), kept as "
           "drawn: redraw or unlock it there and plan again.\n";
  else
    out << "  Please report the inputs and this command line: it is a bug in the planner.\n";
}

int exit_code_of(const pipeline::AuditVerdict& verdict) {
  return verdict.fails() ? kExitPlanBroken : kExitOk;
}

}  // namespace gp::cli
