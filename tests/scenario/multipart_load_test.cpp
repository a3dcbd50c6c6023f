// `multipart:` request bodies at load: parts in order, files from the
// bundle (read binary-safe from beside the scenario), and every mistake an
// error at its file:line:col.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string scenario_with(const std::string& request_lines) {
    return "host: http://h.test\n"
           "users:\n"
           "  U:\n"
           "    tasks:\n"
           "      t:\n"
           "        post: /upload\n" +
           request_lines;
}

const request_step& first_request(const plan& p) {
    return std::get<request_step>(p.users.at(0).root.tasks.at(0).steps.at(0).action);
}

TEST(multipart_load, fields_and_files_in_the_order_written) {
    auto p = compile_ok(scenario_with("        multipart:\n"
                                      "          title: \"hi {{ user_id }}\"\n"
                                      "          photo: {file: data/a.jpg, content_type: "
                                      "image/jpeg, filename: me.jpg}\n"
                                      "          notes: {file: data/notes.txt}\n"),
                        {{"data/a.jpg", std::string("\xff\xd8\0x", 4)}, {"data/notes.txt", "n"}});
    ASSERT_TRUE(p);
    const auto& r = first_request(*p);
    EXPECT_EQ(r.body, request_step::body_kind::multipart);
    ASSERT_EQ(r.multipart.size(), 3u);
    EXPECT_EQ(r.multipart[0].name, "title");
    EXPECT_FALSE(r.multipart[0].is_file());
    EXPECT_EQ(r.multipart[0].value.source(), "hi {{ user_id }}");
    EXPECT_EQ(r.multipart[1].name, "photo");
    ASSERT_TRUE(r.multipart[1].is_file());
    EXPECT_EQ(*r.multipart[1].content, std::string("\xff\xd8\0x", 4));
    EXPECT_EQ(r.multipart[1].filename, "me.jpg");
    EXPECT_EQ(r.multipart[1].content_type, "image/jpeg");
    EXPECT_EQ(r.multipart[2].filename, "notes.txt");  // the path's last part
    EXPECT_EQ(r.multipart[2].content_type, "application/octet-stream");
}

TEST(multipart_load, mistakes_are_errors_at_their_place) {
    const auto r = compile_text(
        scenario_with("        json: {a: 1}\n"
                      "        multipart: {a: b}\n"
                      "      u:\n"
                      "        post: /upload\n"
                      "        headers: {Content-Type: text/plain}\n"
                      "        multipart:\n"
                      "          photo: {file: data/missing.jpg, contnet_type: image/jpeg}\n"
                      "          none: {content_type: image/jpeg}\n"
                      "          \"bad\\\"name\": text\n"
                      "          list: [1, 2]\n"
                      "      v:\n"
                      "        post: /upload\n"
                      "        multipart: {}\n"));
    EXPECT_THAT(
        error_lines(r),
        ElementsAre(
            "8:9: users.U.tasks.t.multipart: a request has at most one body: multipart cannot go "
            "with form, json or body",
            "11:18: users.U.tasks.u.headers: a multipart body's Content-Type is set by swarm (it "
            "carries the boundary): remove this header",
            "13:25: users.U.tasks.u.multipart.photo.file: file 'data/missing.jpg' is not in the "
            "scenario's bundle",
            "13:43: users.U.tasks.u.multipart.photo: unknown key 'contnet_type', did you mean "
            "'content_type'?",
            "14:17: users.U.tasks.u.multipart.none: a file part needs `file:` (a path relative to "
            "the scenario), e.g. {file: data/photo.jpg, content_type: image/jpeg}",
            "15:11: users.U.tasks.u.multipart[\"bad\"name\"]: a part's name may not be empty or "
            "hold quotes, backslashes or control characters",
            "16:17: users.U.tasks.u.multipart.list: expected text, got a list",
            "19:20: users.U.tasks.v.multipart: expected at least one part"));
}

TEST(multipart_load, files_are_read_beside_the_scenario_byte_for_byte) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / "multipart_load";
    std::filesystem::create_directories(dir / "data");
    std::filesystem::remove(dir / "data" / "gone.bin");  // left by an earlier run
    std::string bytes;
    for (int c = 0; c < 256; ++c) bytes += static_cast<char>(c);
    std::ofstream(dir / "data" / "all.bin", std::ios::binary) << bytes;
    const auto path = (dir / "upload.yaml").string();
    std::ofstream(path) << scenario_with(
        "        multipart:\n"
        "          a: {file: data/all.bin}\n"
        "      nested:\n"
        "        tasks:\n"
        "          deep:\n"
        "            steps:\n"
        "              - post: /upload\n"
        "                multipart: {b: {file: data/all.bin}, c: {file: data/gone.bin}}\n");
    const auto read = read_bundle(path);
    ASSERT_EQ(read.errors.size(), 1u);
    EXPECT_THAT(read.errors[0].to_string(),
                HasSubstr("upload.yaml:14:64: users.U.tasks.nested.tasks.deep.steps[0].multipart."
                          "c.file: cannot read"));
    std::ofstream(dir / "data" / "gone.bin", std::ios::binary) << "g";
    const auto again = read_bundle(path);
    ASSERT_TRUE(again.result);
    ASSERT_EQ(again.result->files.size(), 2u);  // all.bin once, however often named
    EXPECT_EQ(again.result->files[0].first, "data/all.bin");
    EXPECT_EQ(again.result->files[0].second, bytes);
    auto p = compile(*again.result);
    ASSERT_TRUE(p.result) << (p.errors.empty() ? "" : p.errors[0].to_string());
    EXPECT_EQ(*first_request(*p.result).multipart[0].content, bytes);
}

}  // namespace
}  // namespace swarm::scenario::testing
