// swarm's web UI: the start/edit dialog follows the master's state (loaded
// before app.js, which calls it).
//
// The dialog is a view of one test: "Start a new test" of a stopped master,
// "Change the running test" of test N. When the state changes under an open
// dialog (another client started a test, the test stopped or was replaced),
// its Start used to act on a test the user never saw - a new-test form
// silently edited the other client's test. Now the dialog turns into the
// form for the current state, with that test's values and a notice saying
// what happened, and every POST /swarm carries `tests_started` (the test the
// form was made for), which the master refuses with 409 when it is no
// longer the current one (master/web/api.cpp).
"use strict";

const formSync = (() => {
  const el = (id) => document.getElementById(id);
  const isActive = (s) => s.state === "spawning" || s.state === "running";
  let seenTest = null;  // tests_started the open form was made for

  function notice(text) {
    el("form-notice").textContent = text;
    el("form-notice").hidden = !text;
  }

  return {
    // openForm() calls this: the form is now a view of snapshot `s` (null before the first).
    opened(s) {
      seenTest = s ? s.tests_started : null;
    },
    // Fills the edit form with the running test's numbers.
    fillEdit(s) {
      el("f-users").value = s.target_user_count;
      if (s.spawn_rate !== undefined && s.spawn_rate !== null) el("f-rate").value = s.spawn_rate;
    },
    // What the POST carries besides the fields: the test the form was made for.
    sign(body) {
      if (seenTest !== null) body.set("tests_started", String(seenTest));
    },
    clearNotice() { notice(""); },
    // After a successful POST: an edit's answer says what it changed
    // ("Test changed: users 20 → 3"), shown for a while under the header.
    done(answer) {
      const box = el("edit-result");
      if (!answer || !answer.changes) return;
      box.textContent = answer.message;
      box.hidden = false;
      clearTimeout(box.timer);
      box.timer = setTimeout(() => { box.hidden = true; }, 10000);
    },
    // Each snapshot: re-forms an open dialog whose state changed under it.
    // `mode` is the form's ("new" or "edit"), `openForm(mode)` app.js's.
    follow(s, mode, openForm) {
      if (!el("start-dialog").open || seenTest === null) return;
      const changed = s.tests_started !== seenTest;
      if (mode === "new" && (changed || isActive(s))) {
        openForm(isActive(s) ? "edit" : "new");
        notice(`Test ${s.tests_started} was started meanwhile (by another client?). ` +
          (isActive(s) ? `This form now changes it: ${s.target_user_count} users.` : "It has already ended."));
      } else if (mode === "edit" && (changed || !isActive(s))) {
        openForm(isActive(s) ? "edit" : "new");
        notice(isActive(s) ? `The test was replaced by test ${s.tests_started}: this form now changes that one.`
          : `The test you were changing has ${s.state === "stopping" ? "begun to stop" : "stopped"}: ` +
            "Start begins a new test.");
      }
    },
  };
})();
