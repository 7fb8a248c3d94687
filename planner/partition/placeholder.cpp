// Placeholder translatpartitionn unit until the module lands.
namespace gp::partition {}
