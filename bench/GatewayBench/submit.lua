-- wrk script: POST /api/submit with a bearer token from the TOKEN environment variable.
-- Every request carries a distinct artifact so nothing is deduplicated.
local token = os.getenv("TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format('{"content":"benchmark artifact %d from thread %s, long enough to look like a prompt of a few sentences.","metadata":{"source":"wrk","n":%d},"priority":"normal"}', counter, tostring(wrk.thread), counter)
  return wrk.format("POST", "/api/submit", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
