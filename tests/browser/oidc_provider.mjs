// A real OpenID Connect provider for the browser tests: the certified `oidc-provider` (npm, v9) with its
// development login form (any login and password; the login becomes the account id, `<login>@lab.test`
// its e-mail). Started by tests/browser/oidc.py, which installs the package into a cache folder outside
// the repository and passes its entry file in OIDC_PROVIDER_ENTRY (ESM resolves imports from this file's
// folder, so the cache is imported by path).
//
// Settings measured on this machine: Streamlit asks for prompt=select_account, which this provider does
// not support, so the app's secrets set client_kwargs = { prompt = "login" }; conformIdTokenClaims: false
// puts name and e-mail in the ID token (Streamlit reads st.user from it); it listens on 127.0.0.1 only.
import { pathToFileURL } from "node:url";

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_ENTRY).href);
const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@lab.test`, email_verified: true, name: id };
      },
    };
  },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  conformIdTokenClaims: false,
  cookies: { keys: [process.env.OIDC_COOKIE_KEY || "glimpse-test-cookie-key"] },
  // ID tokens live an hour, except the account named in OIDC_SHORT_LIVED (2 s: an expired sign-in)
  ttl: {
    IdToken(ctx, token) {
      const who = token?.available?.sub ?? ctx?.oidc?.account?.accountId ?? ctx?.oidc?.session?.accountId;
      return who === process.env.OIDC_SHORT_LIVED ? 2 : 3600;
    },
  },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
