// `swarm target`'s POST /upload: multipart/form-data parsed with bounds,
// what it carried counted at /__stats (each file by SHA-256), and the
// parser itself over well-formed and hostile bodies.

#include "target/multipart.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace swarm::test {
namespace {

using target::multipart_boundary;
using target::parse_multipart;

std::string all_byte_values() {
    std::string out;
    for (int c = 0; c < 256; ++c) out += static_cast<char>(c);
    return out;
}

// A body as a browser sends it: a text field, then a file.
std::string upload_body(const std::string& boundary, const std::string& file) {
    return "--" + boundary +
           "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--" + boundary +
           "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a;b.jpg\"\r\n"
           "Content-Type: image/jpeg\r\n\r\n" +
           file + "\r\n--" + boundary + "--\r\n";
}

TEST(target_multipart, boundary_comes_from_the_content_type) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
    EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b\"; x=1"), "a b");
    EXPECT_FALSE(multipart_boundary("multipart/form-data"));
    EXPECT_FALSE(multipart_boundary("text/plain; boundary=abc"));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
}

TEST(target_multipart, parses_fields_and_binary_files) {
    const auto bytes = all_byte_values();
    const auto body = upload_body("XyZ", bytes);
    const auto parsed = parse_multipart(body, "XyZ");
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.parts.size(), 2u);
    EXPECT_EQ(parsed.parts[0].name, "title");
    EXPECT_FALSE(parsed.parts[0].has_filename);
    EXPECT_EQ(parsed.parts[0].data, "hello");
    EXPECT_EQ(parsed.parts[1].filename, "a;b.jpg");
    EXPECT_EQ(parsed.parts[1].content_type, "image/jpeg");
    EXPECT_EQ(parsed.parts[1].data, bytes);
}

TEST(target_multipart, malformed_bodies_say_why) {
    const auto good = upload_body("B", "data");
    EXPECT_EQ(parse_multipart("no delimiter", "B").error, "no boundary delimiter in the body");
    EXPECT_EQ(parse_multipart(good.substr(0, good.size() - 8), "B").error,
              "the body ends inside a part (no closing delimiter)");
    EXPECT_EQ(parse_multipart("--B\r\nX-Other: 1\r\n\r\nv\r\n--B--", "B").error,
              "a part has no Content-Disposition");
    EXPECT_EQ(parse_multipart("--B\r\n" + std::string(9000, 'h') + "\r\n\r\nv\r\n--B--", "B").error,
              "a part's headers do not end (or exceed 8 KiB)");
    std::string many;
    for (int i = 0; i < 300; ++i)
        many += "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n";
    many += "--B--\r\n";
    EXPECT_EQ(parse_multipart(many, "B").error, "more than 256 parts");
    EXPECT_EQ(parse_multipart("--Bxx", "B").error, "a boundary delimiter is not followed by CRLF");
}

TEST(target_multipart, sha256_of_known_text) {
    EXPECT_EQ(target::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(target_upload, counts_what_it_parsed_and_refuses_the_malformed) {
    auto target = start_target();
    http_client client(target.url);
    const auto bytes = all_byte_values();
    http_request req;
    req.method = "POST";
    req.target = "/upload";
    req.content_type = "multipart/form-data; boundary=XyZ";
    req.body = upload_body("XyZ", bytes);
    for (int i = 0; i < 2; ++i) {
        const auto res = client.request(req);
        ASSERT_EQ(res.status, 200) << res.body;
        const auto answer = boost::json::parse(res.body);
        EXPECT_EQ(std::string(answer.at("fields").at("title").as_string()), "hello");
        EXPECT_EQ(answer.at("files").at(0).at("size").to_number<int>(), 256);
        EXPECT_EQ(std::string(answer.at("files").at(0).at("sha256").as_string()),
                  target::sha256_hex(bytes));
    }
    req.body = "garbage";
    EXPECT_EQ(client.request(req).status, 400);
    req.content_type = "text/plain";
    EXPECT_EQ(client.request(req).status, 400);
    EXPECT_EQ(client.get("/upload").status, 405);

    const auto stats = boost::json::parse(client.get("/__stats").body);
    const auto& uploads = stats.at("uploads");
    EXPECT_EQ(uploads.at("requests").to_number<int>(), 2);
    EXPECT_EQ(uploads.at("malformed").to_number<int>(), 2);
    EXPECT_EQ(uploads.at("fields").to_number<int>(), 2);
    EXPECT_EQ(uploads.at("field_bytes").to_number<int>(), 10);
    EXPECT_EQ(uploads.at("files").to_number<int>(), 2);
    EXPECT_EQ(uploads.at("file_bytes").to_number<int>(), 512);
    EXPECT_EQ(uploads.at("files_by_sha256").at(target::sha256_hex(bytes)).to_number<int>(), 2);
    EXPECT_EQ(stats.at("requests").at("POST /upload").to_number<int>(), 4);

    client.get("/__reset");
    const auto after = boost::json::parse(client.get("/__stats").body);
    EXPECT_EQ(after.at("uploads").at("requests").to_number<int>(), 0);
}

}  // namespace
}  // namespace swarm::test
