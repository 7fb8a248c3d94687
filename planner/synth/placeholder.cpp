// Placeholder translatsynthn unit until the module lands.
namespace gp::synth {}
