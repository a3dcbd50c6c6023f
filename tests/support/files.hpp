#pragma once
// Reading what a test or a process under test wrote: a file's bytes (a
// certificate, a log, a report page) or a JSON report (--json, the corpus).

#include <boost/json/value.hpp>

#include <string>

namespace swarm::test {

// The whole content of a file, as bytes ("" when it cannot be read).
std::string read_whole_file(const std::string& path);

// The file parsed as JSON; a null value when it is missing, empty or not
// JSON (a run that wrote no report), so tests can assert on is_object().
boost::json::value read_json_file(const std::string& path);

}  // namespace swarm::test
