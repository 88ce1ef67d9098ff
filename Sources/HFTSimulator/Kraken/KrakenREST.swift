import HFTCore

/// The REST calls the WebSocket flow needs: `POST /0/private/GetWebSocketsToken` (signed, §3),
/// `GET /0/public/AssetPairs` and `GET /0/public/Assets` (precisions). Replies are Kraken's
/// `{"error":[…],"result":{…}}` with HTTP 200, errors included.
enum KrakenREST {
    static let tokenPath = "/0/private/GetWebSocketsToken"

    static func routes(_ context: KrakenContext) -> [HTTPRoute] {
        [
            HTTPRoute("POST", tokenPath) { token($0, context) },
            HTTPRoute("GET", "/0/public/AssetPairs") { assetPairs($0, context) },
            HTTPRoute("GET", "/0/public/Assets") { assets($0, context) },
        ]
    }

    // MARK: GetWebSocketsToken

    static func token(_ req: ServerHTTPRequest, _ context: KrakenContext) -> ServerHTTPResponse {
        if context.restRateLimited() { return error(KrakenError.apiRateLimit) }
        let ex = context.exchange
        guard let key = req.head.header("API-Key"), let account = ex.account(forAPIKey: key),
              let credentials = ex.credentials(of: account) else { return error(KrakenError.invalidKey) }
        let body = req.bodyText
        guard let nonceText = formValue(body, "nonce"), let nonce = UInt64(nonceText) else { return error(KrakenError.invalidNonce) }
        guard let sign = req.head.header("API-Sign"),
              KrakenSigner.verify(signature: sign, path: req.head.path, nonce: nonceText, postData: body,
                                  secret: credentials.apiSecret) else { return error(KrakenError.invalidSignature) }
        guard context.auth.acceptNonce(nonce, key: key) else { return error(KrakenError.invalidNonce) }
        let token = context.auth.issueToken(for: account, now: context.now())
        return ok { j in
            j.object { j in
                j.field("token", token)
                j.field("expires", KrakenAuth.lifetimeSeconds)
            }
        }
    }

    /// A field of an `application/x-www-form-urlencoded` body.
    static func formValue(_ body: String, _ name: String) -> String? {
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if ServerRequestHead.percentDecode(kv[0]) == name {
                return kv.count > 1 ? ServerRequestHead.percentDecode(kv[1]) : ""
            }
        }
        return nil
    }

    // MARK: Reference data

    static func assetPairs(_ req: ServerHTTPRequest, _ context: KrakenContext) -> ServerHTTPResponse {
        var pairs = context.markets.pairs
        if let filter = req.head.queryItems.first(where: { $0.0 == "pair" })?.1, !filter.isEmpty {
            var chosen: [KrakenPair] = []
            for name in filter.split(separator: ",") {
                guard let p = context.markets.restPair(String(name)) else { return error(KrakenError.unknownAssetPair) }
                chosen.append(p)
            }
            pairs = chosen
        }
        let fees = context.exchange.userAccounts().first.flatMap { context.exchange.fees(of: $0.id) }
        let percent = FixedDecimal(100)
        return ok { j in
            j.object { j in
                for p in pairs {
                    j.key(p.restKey)
                    j.object { j in
                        j.field("altname", p.altName)
                        j.field("wsname", p.wsName)
                        j.field("aclass_base", "currency")
                        j.field("base", p.restBase)
                        j.field("aclass_quote", "currency")
                        j.field("quote", p.restQuote)
                        j.field("lot", "unit")
                        j.field("cost_decimals", Int(p.quoteScale))
                        j.field("pair_decimals", Int(p.priceScale))
                        j.field("lot_decimals", Int(p.quantityScale))
                        j.field("lot_multiplier", 1)
                        j.key("leverage_buy")
                        j.beginArray()
                        j.endArray()
                        j.key("leverage_sell")
                        j.beginArray()
                        j.endArray()
                        if let fees {
                            feeTier(&j, "fees", (fees.taker * percent).normalized)
                            feeTier(&j, "fees_maker", (fees.maker * percent).normalized)
                        }
                        j.field("fee_volume_currency", KrakenMarkets.restNames(p.symbol.quote).key)
                        j.field("margin_call", 80)
                        j.field("margin_stop", 40)
                        j.field("ordermin", p.spec.minQuantity.description)
                        j.field("costmin", p.spec.minNotional.description)
                        j.field("tick_size", p.spec.tickSize.description)
                        j.field("status", "online")
                    }
                }
            }
        }
    }

    /// `[[0,rate%]]`: a single volume tier.
    private static func feeTier(_ j: inout KrakenJSON, _ key: StaticString, _ rate: FixedDecimal) {
        j.key(key)
        j.beginArray()
        j.beginArray()
        j.int(0)
        j.number(rate)
        j.endArray()
        j.endArray()
    }

    static func assets(_ req: ServerHTTPRequest, _ context: KrakenContext) -> ServerHTTPResponse {
        ok { j in
            j.object { j in
                for a in context.markets.assets {
                    j.key(a.restKey)
                    j.object { j in
                        j.field("aclass", "currency")
                        j.field("altname", a.altName)
                        j.field("decimals", Int(a.scale))
                        j.field("display_decimals", Int(min(a.scale, 5)))
                        j.field("status", "enabled")
                    }
                }
            }
        }
    }

    // MARK: Envelopes

    static func ok(_ result: (inout KrakenJSON) -> Void) -> ServerHTTPResponse {
        var j = KrakenJSON()
        j.object { j in
            j.key("error")
            j.beginArray()
            j.endArray()
            j.key("result")
            result(&j)
        }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }

    static func error(_ message: String) -> ServerHTTPResponse {
        var j = KrakenJSON()
        j.object { j in
            j.key("error")
            j.beginArray()
            j.string(message)
            j.endArray()
        }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }
}
