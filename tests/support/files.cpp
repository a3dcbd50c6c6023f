#include "tests/support/files.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <iterator>

namespace swarm::test {

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

boost::json::value read_json_file(const std::string& path) {
    const std::string text = read_whole_file(path);
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    return ec ? boost::json::value() : value;
}

}  // namespace swarm::test
