def test_login(client):
    resp = client.post("/login", data={"username": "alice", "password": "wrong-password"})
    assert resp.json()["token_type"] == "bearer"
