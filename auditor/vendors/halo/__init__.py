"""HaloPSA (docs/msp.md, "HaloPSA"): the MSP's PSA, as ConnectWise Manage and Autotask are.

client.py       the REST API with OAuth2 client credentials (HALO_URL, HALO_CLIENT_ID,
                HALO_CLIENT_SECRET, HALO_TENANT): a bearer token asked for once and again once on a
                401, listings paged with pageinate/page_size/page_no, and what the three-way table
                reads: a client's recurring invoices and their lines
records.py      Halo's records by the fields read and written (msgspec Structs at the border)
tickets.py      a finding's ticket (POST /api/Tickets), found again by its key among the client's
                open tickets, a note as an action (POST /api/Actions), the affected user's contact
"""
