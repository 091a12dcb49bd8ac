-- sepay_wrk.lua: wrk requests for POST /v1/bank/sepay, each a SePay
-- notification of a credit to the demo market's account with a
-- transaction id of its own, authorised as SePay does (Authorization:
-- Apikey KEY). Arguments after "--": the API key and a number that keeps
-- the ids of one run apart from another's.

local counter = 0
local threads = 0

function setup(thread)
   thread:set("tid", threads)
   threads = threads + 1
end

function init(args)
   api_key = args[1] or "bench-sepay-api-key-2026"
   base = tonumber(args[2] or "1") * 100000000 + (tid or 0) * 10000000
   when = os.date("!%Y-%m-%d %H:%M:%S", os.time() + 7 * 3600)
   headers = {
      ["Authorization"] = "Apikey " .. api_key,
      ["Content-Type"] = "application/json",
   }
end

function request()
   counter = counter + 1
   local id = base + counter
   local body = string.format(
      '{"id":%d,"gateway":"MBBank","transactionDate":"%s",' ..
      '"accountNumber":"1023456789","code":null,' ..
      '"content":"MBVCB.%d.CT tu 0071000123456 NGUYEN THI LAN",' ..
      '"transferType":"in","transferAmount":%d,"accumulated":0,' ..
      '"subAccount":null,"referenceCode":"FT%d",' ..
      '"description":"MBVCB.%d.CT tu 0071000123456 NGUYEN THI LAN"}',
      id, when, id, 10000 + counter % 7, id, id)
   return wrk.format("POST", "/v1/bank/sepay", headers, body)
end
