-- wrk script: POSTs one ready-made DER OCSP request (the file named after "--") on every request
-- and counts the OCSPResponseStatus of every answer; done() prints the counts over all threads:
--   wrk -t1 -c4 -d3s -s ocsp-post-count.lua http://host:port/ocsp -- request.der

function init(args)
   local file = assert(io.open(args[1], "rb"))
   wrk.method = "POST"
   wrk.body = file:read("*a")
   file:close()
   wrk.headers["Content-Type"] = "application/ocsp-request"
end

successful = 0
try_later = 0
other = 0

function response(status, headers, body)
   -- OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] OPTIONAL }
   local at = 3
   local length = body:byte(2)
   if length and length >= 0x80 then
      at = at + (length - 0x80)
   end
   if status ~= 200 or body:byte(1) ~= 0x30 or body:byte(at) ~= 0x0a or body:byte(at + 1) ~= 0x01 then
      other = other + 1
   elseif body:byte(at + 2) == 0 then
      successful = successful + 1
   elseif body:byte(at + 2) == 3 then
      try_later = try_later + 1
   else
      other = other + 1
   end
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   local s, t, o = 0, 0, 0
   for _, thread in ipairs(threads) do
      s = s + thread:get("successful")
      t = t + thread:get("try_later")
      o = o + thread:get("other")
   end
   local e = summary.errors
   io.write(string.format("ocsp successful=%d try-later=%d other=%d requests=%d duration-us=%d socket-errors=%d\n",
      s, t, o, summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout))
end
