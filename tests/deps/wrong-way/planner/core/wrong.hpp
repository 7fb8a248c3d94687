#pragma once
// A deliberately wrong-way include: the core may not know the readers. ctest runs
// check_includes.py on this tree and expects it to fail (the check itself can fail).
#include "planner/io/load.hpp"
