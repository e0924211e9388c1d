-- wrk script for `make bench`: GET BENCH_PATH with Accept BENCH_ACCEPT on every request. With BENCH_VARY=1
-- the query (the path's last parameter) gets " LIMIT n" with a different n on every request, far above any
-- answer's size: the answer stays the same, the text is never repeated, so no cache can answer it.
local path = os.getenv("BENCH_PATH")
local headers = {["Accept"] = os.getenv("BENCH_ACCEPT")}
local vary = os.getenv("BENCH_VARY") == "1"
local counter = 0

function setup(thread)
  thread:set("offset", counter * 100000000)
  counter = counter + 1
end

request = function()
  if not vary then
    return wrk.format("GET", path, headers)
  end
  offset = offset + 1
  return wrk.format("GET", path .. "%20LIMIT%20" .. (1000000000 + offset), headers)
end
