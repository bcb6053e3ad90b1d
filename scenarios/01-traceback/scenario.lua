-- Lesson 1: what a traceback holds.
-- The Python side is holds.py (runnable on its own: it prints the same
-- figures from tracemalloc), so the steps below call the same functions,
-- in the same order, as its _main().

local BUFFER = 5 * MB        -- parse()'s big local
local HISTORY = 2 * MB       -- run_job()'s big local, the handler's caller
local NOISE = 250 * KB       -- heap tolerance, "flat": an eighth of the
                             -- smaller local, far below either
local EXTRA = 8 * KB         -- what a kept exception may hold besides the
                             -- big locals: itself, 2 tracebacks, 3 frames
local start                  -- the heap before the exception is kept

-- Units as the gauges show them: KB = 1000 bytes, MB = 1000 KB.
local function kb(bytes) return string.format("%.0f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end

local function alive(ref) return graph.capture(ref).alive end
local function yes_no(b) return b and "alive" or "freed" end

-- The path graph.why() finds, one hop a line; and the hops as one string.
local function why(name)
  local hops = graph.why(name)
  if type(hops) ~= "table" then hops = { hops } end
  for _, hop in ipairs(hops) do print("  " .. hop) end
  return table.concat(hops, " ")
end

local function kept(before, after, what)
  check.equals(("heap: %s kept, plus under %s"):format(what, kb(EXTRA)),
    after.heap - before.heap, BUFFER + HISTORY + EXTRA // 2, EXTRA // 2, "bytes")
end

scenario {
  title = "What a traceback holds",
  python = "holds.py",
  gauges = { "heap", "chain", "frames", "rss" },
  watch = "saved",
  memory_limit = 128 * MB,   -- at most 7 MB is kept at a time
}

step("Catch it, use it, return", function()
  check.equals("holds.py's buffer is 5 MB", py.eval("BUFFER"), BUFFER)
  check.equals("and run_job()'s history 2 MB", py.eval("HISTORY"), HISTORY)
  local guess = predict {
    question = "run_job() calls handle(), which catches parse()'s error."
      .. " After the handler ends, is parse()'s 5 MB buffer still alive?",
    choices = { "yes: the exception still holds it",
                "no: it is freed when the handler ends" },
  }
  py.collect()               -- start clean: load-time garbage, if any, goes
  local before = probe.sample()
  local message = py.call("run_job")
  local after = probe.sample()
  local in_handler = py.eval("alive_in_handler")
  local buffer = alive("buffer_ref()")
  print(("run_job() returned %q"):format(message))
  print(("inside the handler the buffer was %s; after it, %s")
    :format(yes_no(in_handler), yes_no(buffer)))
  print(("after the block, e was %s; heap %+d bytes")
    :format(py.eval("e_after_block"), math.floor(after.heap - before.heap)))

  check.equals("the handler still returns the message", message, "bad record 'r1'")
  check.equals("inside the handler, parse() had ended but its buffer lived",
    in_handler, true)
  check.equals("after the block, using e raises UnboundLocalError (PEP 3110)",
    py.eval("e_after_block"), "deleted")
  check.equals("after the handler, the buffer is freed", buffer, false)
  check.flat(("heap: flat (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE, "bytes")
  check.equals("no garbage collection ran: reference counting freed it",
    after.gc_runs, before.gc_runs)
  reveal(guess, buffer and "yes: the exception still holds it"
                        or "no: it is freed when the handler ends")
end)

step("Keep it: saved = e", function()
  graph.show("saved", { highlight = "history_ref()" })
  local before = probe.sample()
  start = before
  py.call("run_job", 1, true)
  local after = probe.sample()
  local g = graph.capture("saved")
  print(("heap +%s; saved keeps %s; chain %d entries (%s), frames %d")
    :format(mb(after.heap - before.heap), mb(g.retained or 0), after.chain,
            py.eval("chain_names(saved)"), after.frames))

  kept(before, after, "both big locals (7 MB)")
  check.equals("chain: 2 entries, the handler's and the raiser's",
    py.eval("chain_names(saved)"), "handle,parse")
  check.equals("frames: 3, those two and run_job() through f_back",
    after.frames, 3)
  check.equals("the graph of saved: 2 tracebacks", g.count.traceback, 2)
  check.equals("and 3 frames", g.count.frame, 3)
  check.equals(("saved alone keeps 7 MB alive (within %s)"):format(kb(EXTRA)),
    g.retained, BUFFER + HISTORY + EXTRA // 2, EXTRA // 2)
  check.equals("no cycle: saved is a global, on no frame", g.cycles, 0)

  local before_gc = probe.sample()
  check.equals("gc.collect() finds no garbage: 0 unreachable objects",
    py.collect(), 0)
  check.flat(("and the heap stays (within %s)"):format(kb(NOISE)),
    before_gc.heap, probe.sample().heap, NOISE, "bytes")
end)

step("Why is run_job()'s history alive?", function()
  print("graph.why: parse()'s buffer")
  local buffer = why("buffer_ref()")
  print("graph.why: run_job()'s history")
  local history = why("history_ref()")
  check.truthy("the buffer: saved, __traceback__, tb_next, tb_frame, buffer",
    buffer:find("-[__traceback__]-> traceback", 1, true)
    and buffer:find("-[tb_next]-> traceback", 1, true)
    and buffer:find("-[tb_frame]-> frame parse()", 1, true)
    and buffer:find("-[buffer]-> Big", 1, true))
  check.truthy("the history: through handle()'s frame, then f_back to run_job()",
    history:find("-[tb_frame]-> frame handle()", 1, true)
    and history:find("-[f_back]-> frame run_job()", 1, true)
    and history:find("-[history]-> Big", 1, true))
  check.equals("run_job() is in no traceback entry: f_back is the only way",
    py.eval("'run_job' in chain_names(saved).split(',')"), false)
end)

step("traceback.clear_frames(saved.__traceback__)", function()
  local guess = predict {
    question = "clear_frames() empties the locals of the frames in the"
      .. " traceback. Which big locals does it free?",
    choices = { "both: 7 MB", "only parse()'s buffer: 5 MB",
                "only run_job()'s history: 2 MB", "neither" },
  }
  local before = probe.sample()
  py.call("clear_saved_frames")
  local after = probe.sample()
  local buffer, history = alive("buffer_ref()"), alive("history_ref()")
  print(("heap %s -> %s; buffer %s, history %s")
    :format(mb(before.heap), mb(after.heap), yes_no(buffer), yes_no(history)))

  check.equals("parse()'s buffer is freed", buffer, false)
  check.equals("run_job()'s history is not: its frame is only on f_back",
    history, true)
  check.equals(("heap: down by the buffer alone, 5 MB (within %s)"):format(kb(EXTRA)),
    before.heap - after.heap, BUFFER, EXTRA, "bytes")
  check.equals("the chain is still there: 2 entries", after.chain, 2)
  check.equals("and still prints: file, line and name need no locals",
    py.eval("saved_lines()"), true)
  local answer = (buffer and history) and "neither"
    or (not buffer and not history) and "both: 7 MB"
    or (not buffer) and "only parse()'s buffer: 5 MB"
    or "only run_job()'s history: 2 MB"
  reveal(guess, answer)
end)

step("saved.__traceback__ = None", function()
  local before = probe.sample()
  py.call("drop_traceback")
  local after = probe.sample()
  local history = alive("history_ref()")
  print(("heap %s -> %s; history %s; %s above the reading before saved = e")
    :format(mb(before.heap), mb(after.heap), yes_no(history),
            kb(after.heap - start.heap)))

  check.equals("run_job()'s history is freed", history, false)
  check.flat(("heap: back where it was before saved = e (within %s)"):format(kb(NOISE)),
    start.heap, after.heap, NOISE, "bytes")
  check.equals("chain: 0 entries", after.chain, 0)
  check.equals("frames: 0", after.frames, 0)
  check.equals("the graph of saved holds no frame", graph.capture("saved").count.frame, 0)
  check.equals("the message is still there", py.eval("str(saved)"), "bad record 'r1'")
end)

step("Kept without asking: __context__", function()
  py.exec("saved = None")
  local before = probe.sample()
  start = before
  local message = py.call("run_job_wrapped")
  local after = probe.sample()
  local g = graph.capture("saved")
  print(("run_job_wrapped() returned %q; heap +%s; saved keeps %s")
    :format(message, mb(after.heap - before.heap), mb(g.retained or 0)))
  print("graph.why: parse()'s buffer")
  local path = why("buffer_ref()")

  check.equals("saved is the RuntimeError", py.eval("type(saved).__name__"), "RuntimeError")
  check.equals("its __context__ is parse()'s ValueError",
    py.eval("type(saved.__context__).__name__"), "ValueError")
  kept(before, after, "both big locals again (7 MB)")
  check.truthy("the buffer is reached through __context__",
    path:find("-[__context__]-> ValueError", 1, true))
  check.equals("the graph of saved: 4 tracebacks, 2 per exception",
    g.count.traceback, 4)
  check.equals("the chain gauge follows saved's own traceback: 2 entries",
    after.chain, 2)
  check.equals("frames: 2, run_job_wrapped() and handle_wrapped()", after.frames, 2)

  local guess = predict {
    question = "Now saved.__traceback__ = None, as in the last step."
      .. " How much of the 7 MB is freed?",
    choices = { "all 7 MB", "5 MB", "2 MB", "nothing" },
  }
  local mid = probe.sample()
  py.call("drop_traceback")
  local dropped = probe.sample()
  local buffer, history = alive("buffer_ref()"), alive("history_ref()")
  print(("heap %s -> %s; buffer %s, history %s")
    :format(mb(mid.heap), mb(dropped.heap), yes_no(buffer), yes_no(history)))
  check.flat(("heap: nothing freed (within %s)"):format(kb(NOISE)),
    mid.heap, dropped.heap, NOISE, "bytes")
  check.equals("the buffer lives on in __context__'s traceback", buffer, true)
  check.equals("and so does the history, through f_back", history, true)
  local freed = mid.heap - dropped.heap
  reveal(guess, freed > BUFFER + NOISE and "all 7 MB"
             or freed > HISTORY + NOISE and "5 MB"
             or freed > NOISE and "2 MB" or "nothing")
end)

step("Drop every traceback in the chain", function()
  local before = probe.sample()
  py.call("drop_chain")
  local after = probe.sample()
  print(("heap %s -> %s; %s above the reading before run_job_wrapped()")
    :format(mb(before.heap), mb(after.heap), kb(after.heap - start.heap)))
  check.equals("the buffer is freed", alive("buffer_ref()"), false)
  check.equals("the history is freed", alive("history_ref()"), false)
  check.flat(("heap: back where it was (within %s)"):format(kb(NOISE)),
    start.heap, after.heap, NOISE, "bytes")
  local g = graph.capture("saved")
  check.equals("the graph of saved: no frame", g.count.frame, 0)
  check.equals("no traceback", g.count.traceback, 0)
  check.equals("both messages are still there",
    py.eval("str(saved) + ' / ' + str(saved.__context__)"),
    "job failed on 'r2' / bad record 'r2'")

  -- Why drop_tracebacks() follows both links: raise ... from inside a
  -- handler gives an exception a __cause__ and a different __context__.
  local r = py.call("shortcut_misses")
  print(("a loop over __cause__ or __context__ left the context's traceback: %s;"
    .. " following both links cleared it: %s"):format(tostring(r[1]), tostring(r[2])))
  check.equals("a loop over `__cause__ or __context__` misses a different __context__",
    r[1], true)
  check.equals("following both links reaches it", r[2], true)
end)

-- The exercise: an importer keeps its last error for a status line.
local BLOCK = 4 * MB           -- importer.py's decode() block
local RECORDS = "[f'id={i}' if i % 4 else f'bad {i}' for i in range(20)]"

exercise {
  file = "exercise/importer.py",
  task = "Keep only what status() needs: no frame, no traceback, the heap back after a batch.",
  solution = "exercise/solution.py",
  cheats = { "exercise/cheat_forget.py", "exercise/cheat_small_block.py",
             "exercise/cheat_clear_frames.py" },
  hints = {
    "After run() returns, what does self.last_error hold? Follow its"
      .. " __traceback__: which frames, and which of their locals?",
    "The traceback's entries keep run()'s frame and decode()'s, with its"
      .. " 4 MB block. status() needs none of that: only the message.",
    "Keep text, not the exception: self.last_error = str(e). Or keep a"
      .. " traceback.TracebackException.from_exception(e) for a full report.",
  },
  verify = function(path)
    py.load(path)
    py.exec("records = " .. RECORDS .. "\nimporter = Importer()")
    py.collect()
    local before = probe.sample()
    local done = py.eval("importer.run(records)")
    local after = probe.sample()
    check.equals("run() still imports 15 of the 20 records", done, 15)
    check.equals("status() still reports the last bad record",
      py.eval("importer.status()"), "last error: no id in record 'bad 16'")
    check.flat(("heap: back to where it was after run() (within %s)"):format(kb(BLOCK // 4)),
      before.heap, after.heap, BLOCK // 4, "bytes")
    local g = graph.capture("importer")
    check.equals("the importer keeps no frame", g.count.frame, 0)
    check.equals("and no traceback", g.count.traceback, 0)

    py.eval("importer.run(records)")
    check.flat("a second batch: still flat", before.heap, probe.sample().heap, BLOCK // 4, "bytes")
    check.equals("no exception cycles left for the GC", py.collect(), 0)

    -- The work itself must stay: decode() still fills a 4 MB block.
    py.exec("try:\n    Importer().decode('oops')\nexcept ValueError as e:\n"
      .. "    failed = e\n")
    local f = graph.capture("failed")
    check.truthy(("decode() still decodes into a 4 MB block (%s behind a failure)")
      :format(mb(f.retained or 0)), (f.retained or 0) >= BLOCK)
    py.exec("failed = None")
  end,
}
