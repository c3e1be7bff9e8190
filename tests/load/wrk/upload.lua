-- wrk script: each request uploads a new OPT (a unique template_id per request), so the server
-- writes on every request. Used beside a GET benchmark to measure reads while uploads run.
-- The base OPT is read from the file named by the UPLOAD_OPT environment variable.
local file = assert(io.open(os.getenv("UPLOAD_OPT"), "rb"))
local template = file:read("*a")
file:close()
local marker = "<value>minimal_action.en.v1_{{randomize}}</value>"
local first, last = template:find(marker, 1, true)
assert(first, "the base fixture's template_id changed")
local before, after = template:sub(1, first - 1), template:sub(last + 1)
local counter = 0
-- Each run names its uploads apart (UPLOAD_TAG), so a second run on the same server uploads new ids.
local thread_tag = os.getenv("UPLOAD_TAG") or tostring(os.time())

request = function()
  counter = counter + 1
  local body = before .. "<value>upload." .. thread_tag .. "." .. counter .. "</value>" .. after
  return wrk.format("POST", "/v1/definition/template/adl1.4", { ["Content-Type"] = "application/xml" }, body)
end
