// Placeholder translation unit until the module lands.
namespace gp {}
