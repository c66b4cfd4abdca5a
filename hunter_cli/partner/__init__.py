"""Microsoft Partner Center referrals: sign-in (MSAL), the Referrals API client, and
turning referral payloads into leads."""
