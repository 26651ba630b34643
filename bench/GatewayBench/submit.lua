-- wrk script: POST /api/submit with a bearer token from the TOKEN environment variable.
-- Every request carries a distinct artifact so nothing is deduplicated. CONNECTION_CLOSE=1 asks
-- for a new connection per request (wrk.format ignores wrk's -H headers once a script passes its own).
local token = os.getenv("TOKEN")
local close = os.getenv("CONNECTION_CLOSE") == "1"
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format('{"content":"benchmark artifact %d from thread %s, long enough to look like a prompt of a few sentences.","metadata":{"source":"wrk","n":%d},"priority":"normal"}', counter, tostring(wrk.thread), counter)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  if close then headers["Connection"] = "close" end
  return wrk.format("POST", "/api/submit", headers, body)
end
