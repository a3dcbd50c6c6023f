#include "common/template/value.hpp"
