// multipart/form-data bodies as the worker builds them: parts in order,
// files byte for byte, a boundary that occurs in no part, Content-Type
// carrying it and one per request.
#include <gtest/gtest.h>

#include "tests/worker_user/harness.hpp"
#include "worker/user/environment.hpp"
#include "worker/user/multipart.hpp"
#include "worker/user/request_builder.hpp"

namespace swarm::worker::user {
namespace {

using testing::compile_plan;
using testing::first_request;

std::string all_byte_values() {
    std::string out;
    for (int c = 0; c < 256; ++c) out += static_cast<char>(c);
    return out;
}

const char* const upload_scenario =
    "host: http://h.test\n"
    "users:\n"
    "  U:\n"
    "    tasks:\n"
    "      t:\n"
    "        post: /upload\n"
    "        multipart:\n"
    "          title: \"photo of {{ user_id }}\"\n"
    "          photo: {file: data/photo.bin, content_type: image/jpeg, filename: me.jpg}\n"
    "          raw: {file: data/photo.bin}\n";

std::string_view content_type_of(const http::request& r) {
    for (const auto& [name, value] : r.headers) {
        if (name == "Content-Type") return value;
    }
    return {};
}

TEST(multipart_body, parts_in_order_files_exact_and_boundary_in_content_type) {
    const auto bytes = all_byte_values();
    auto plan = compile_plan(upload_scenario, {{"data/photo.bin", bytes}});
    ASSERT_TRUE(plan);
    const auto& step = first_request(*plan);
    user_environment env(7, 1, 42);
    http::request r;
    build(step, prepare(step, plan->host), plan->host, env, r);

    const auto type = content_type_of(r);
    const std::string prefix = "multipart/form-data; boundary=";
    ASSERT_TRUE(type.starts_with(prefix)) << type;
    const std::string boundary(type.substr(prefix.size()));
    EXPECT_EQ(boundary.size(), 6u + 32u);
    const std::string expected =
        "--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nphoto of 7\r\n"
        "--" +
        boundary +
        "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"me.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n" +
        bytes + "\r\n--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"photo.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n" +
        bytes + "\r\n--" + boundary + "--\r\n";
    EXPECT_EQ(r.body, expected);
    int content_types = 0;
    for (const auto& h : r.headers) content_types += h.first == "Content-Type" ? 1 : 0;
    EXPECT_EQ(content_types, 1);
}

TEST(multipart_body, each_request_gets_a_boundary_of_its_own) {
    auto plan = compile_plan(upload_scenario, {{"data/photo.bin", "x"}});
    ASSERT_TRUE(plan);
    const auto& step = first_request(*plan);
    const auto prep = prepare(step, plan->host);
    user_environment env(7, 1, 42);
    http::request a, b;
    build(step, prep, plan->host, env, a);
    build(step, prep, plan->host, env, b);
    EXPECT_NE(content_type_of(a), content_type_of(b));
}

TEST(multipart_body, a_boundary_found_in_a_part_is_drawn_again) {
    std::mt19937_64 probe(5);
    const auto first = choose_boundary({}, probe);
    // A part that holds the first draw (and its neighbourhood) forces a second.
    const std::string hostile = "before " + first + " after";
    const std::vector<std::string_view> contents{hostile};
    std::mt19937_64 rng(5);
    const auto chosen = choose_boundary(contents, rng);
    EXPECT_NE(chosen, first);
    EXPECT_EQ(hostile.find(chosen), std::string::npos);
    EXPECT_TRUE(chosen.starts_with("swarm-"));
}

}  // namespace
}  // namespace swarm::worker::user
