#pragma once
// Reading multipart/form-data bodies (RFC 7578) for the target's POST
// /upload, and the counters of what uploads carried, so a test can compare
// what swarm sent with what the site parsed, byte for byte.
//
// parse_multipart() is a pure function over views into the body; the
// counters are shared by every io thread (a mutex: uploads are few).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::target {

struct multipart_part {
    std::string_view name;          // Content-Disposition's name=
    std::string_view filename;      // filename= (empty: a text field)
    bool has_filename = false;      // filename= present (a file part)
    std::string_view content_type;  // the part's Content-Type, empty if none
    std::string_view data;          // the part's bytes, exactly as sent
};

// Limits a hostile body cannot get past.
inline constexpr std::size_t max_multipart_parts = 256;
inline constexpr std::size_t max_part_header_bytes = 8 * 1024;

// "multipart/form-data; boundary=XYZ" (quoted or not) → "XYZ"; nullopt when
// the type is another or the boundary is missing or longer than 70 bytes.
std::optional<std::string_view> multipart_boundary(std::string_view content_type);

// The parts of `body`, or why it is malformed (no delimiter, a part without
// Content-Disposition, no closing delimiter, too many parts...).
struct multipart_result {
    std::vector<multipart_part> parts;
    std::string error;  // empty: parsed
};
multipart_result parse_multipart(std::string_view body, std::string_view boundary);

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// What uploads carried, since the start or the last /__reset.
struct upload_snapshot {
    std::uint64_t requests = 0;     // POST /upload that parsed
    std::uint64_t malformed = 0;    // POST /upload refused (400)
    std::uint64_t fields = 0;       // text parts
    std::uint64_t field_bytes = 0;  // their bytes
    std::uint64_t files = 0;        // parts with a filename
    std::uint64_t file_bytes = 0;   // their bytes
    // sha256 hex of a file's bytes → how many uploads carried it. Past
    // max_distinct_files new ones count under "other".
    std::map<std::string, std::uint64_t> files_by_sha256;
};

class upload_counters {
  public:
    static constexpr std::size_t max_distinct_files = 1024;

    // `sha256s`: each file part's hash, as parse → sha256_hex gave it.
    void record(const std::vector<multipart_part>& parts, const std::vector<std::string>& sha256s);
    void record_malformed();
    upload_snapshot snapshot();
    void reset();

  private:
    std::mutex mutex_;
    upload_snapshot counts_;
};

}  // namespace swarm::target
